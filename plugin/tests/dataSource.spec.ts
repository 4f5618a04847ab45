import { E2E, expect, test } from './fixtures';

test('the messages data source passes its own test', async ({ gotoDataSourceConfigPage, page }) => {
  const configPage = await gotoDataSourceConfigPage(E2E.messagesDataSourceUid);
  await page.getByRole('button', { name: /^(Save & test|Test)$/ }).click();
  await expect(configPage).toHaveAlert('success', { hasText: /Connected to the sidecar/ });
});
