import { expect, test } from './fixtures';

test('the app opens on the Overview with store cards, Prometheus panels and links', async ({ gotoPage, page }) => {
  await gotoPage('/');
  await expect(page).toHaveURL(/\/a\/ollamalens-explorer-app\/overview/);
  await expect(page.getByText('Messages in this time range')).toBeVisible();
  for (const title of [
    'Requests / min',
    'Avg latency',
    'Error rate',
    'Success rate',
    'Token rate',
    'Request rate & latency',
    'Request rate by model',
    'Tokens/s by model',
  ]) {
    await expect(page.getByText(title, { exact: true }).first()).toBeVisible();
  }
  await expect(page.getByRole('link', { name: 'Full Overview dashboard' })).toHaveAttribute(
    'href',
    /\/d\/ollamalens-overview$/
  );
  await page.getByRole('link', { name: 'Open the Explorer' }).click();
  await expect(page).toHaveURL(/\/a\/ollamalens-explorer-app\/explorer/);
});

test('the ratio cards never show NaN (a quiet window reads "no traffic")', async ({ gotoPage, page }) => {
  await gotoPage('/overview?var-window=1m&from=now-20s&to=now');
  await expect(page.getByText('Live metrics (Prometheus)')).toBeVisible();
  await expect(page.locator('main')).not.toContainText('NaN');
});
