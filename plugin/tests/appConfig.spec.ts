import { E2E, expect, test } from './fixtures';

test('the configuration page saves the sidecar settings, tests the connection and sets up the data source', async ({
  appConfigPage,
  page,
}) => {
  await page.getByLabel('Sidecar URL').fill(E2E.sidecarUrl);
  if (E2E.token) {
    await page.getByLabel('Token').fill(E2E.token);
  }
  const saved = appConfigPage.waitForSettingsResponse();
  await page.getByRole('button', { name: 'Save and test connection' }).click();
  await expect(saved).toBeOK();
  await expect(page.getByText('Connection works')).toBeVisible();

  await page.getByRole('button', { name: 'Create or update the messages data source' }).click();
  // A provisioned data source is read-only; the page then says where to change it.
  await expect(page.getByText(/Data source ".*" (created|updated)|is provisioned from a file/)).toBeVisible();
});
