import { E2E, expect, test } from './fixtures';

/** Runs in the `viewer` project (playwright.config.ts): signed in as a Grafana org Viewer. */
test('a Viewer sees the Models page read-only, and Grafana refuses the actions route', async ({ gotoPage, page }) => {
  await gotoPage('/models');
  await expect(page.getByRole('heading', { name: 'Installed models' })).toBeVisible();
  await expect(page.getByTestId('ollamalens-models-installed')).toBeVisible();
  await expect(page.getByRole('button', { name: /^(Load|Unload|Copy|Delete) / })).toHaveCount(0);
  await expect(page.getByLabel('Model to pull')).toHaveCount(0);

  // The route's reqRole: Admin, enforced by Grafana's server whatever the page shows.
  const refused = await page.request.post(
    `/api/datasources/proxy/uid/${E2E.messagesDataSourceUid}/sidecar-actions/analytics/models/actions/unload`,
    { data: { model: E2E.model } }
  );
  expect(refused.status()).toBe(403);
});
