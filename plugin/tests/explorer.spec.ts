import { expect, sendThroughProxy, test } from './fixtures';

const rows = '[data-testid="message-row"]';

test.describe('Explorer', () => {
  test.beforeAll(async () => {
    await sendThroughProxy('Summarize the history of the printing press in one sentence.', 'e2e-alice');
  });

  test('lists messages, searches, and keeps the filter in the URL', async ({ gotoPage, page }) => {
    await gotoPage('/explorer');
    await expect(page.locator(rows).first()).toBeVisible();
    await expect(page.getByTestId('card-value-Messages')).not.toHaveText('—');

    const search = page.getByLabel('Search prompts and responses');
    await search.fill('printing press');
    await search.press('Enter');
    await expect(page).toHaveURL(/[?&]q=printing(\+|%20)press/);
    await page.reload();
    await expect(page.getByLabel('Search prompts and responses')).toHaveValue('printing press');
  });

  test('filters by a category from the donut and opens a message from the table', async ({ gotoPage, page }) => {
    await gotoPage('/explorer');
    const category = page.getByRole('button', { name: /^Filter by category / }).first();
    await category.click();
    await expect(page).toHaveURL(/[?&]category=/);
    await page.locator(rows).first().locator('td').first().click();
    await expect(page).toHaveURL(/\/explorer\/message\/[^/?]+/);
    await expect(page.getByLabel('Message header')).toBeVisible();
    await page.getByRole('link', { name: 'Back to the Explorer' }).click();
    await expect(page).toHaveURL(/\/explorer\?.*category=/);
  });

  test('exports the current filter as CSV through the data source proxy', async ({ gotoPage, page }) => {
    await gotoPage('/explorer');
    await page.getByRole('button', { name: 'Export' }).click();
    const href = await page.getByRole('menuitem', { name: 'CSV' }).getAttribute('href');
    expect(href).toMatch(/\/api\/datasources\/proxy\/uid\/[^/]+\/sidecar\/analytics\/export\?.*format=csv/);
    const res = await page.request.get(href!);
    expect(res.ok()).toBe(true);
    expect(res.headers()['content-disposition']).toContain('ollama-lens-messages.csv');
  });
});
