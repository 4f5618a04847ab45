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

  test('filters by status and model from the filter bar, with the keyboard', async ({ gotoPage, page }) => {
    await gotoPage('/explorer');
    await expect(page.locator(rows).first()).toBeVisible();
    const status = page.getByRole('combobox', { name: 'Status' });
    await status.focus();
    await page.keyboard.type('success');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await expect(page).toHaveURL(/[?&]status=success/);
    const user = page.getByRole('combobox', { name: 'User', exact: true });
    await user.fill('e2e-alice');
    await user.press('Enter');
    await expect(page).toHaveURL(/[?&]user=e2e-alice/);
  });

  test('pages through the table and sorts by latency', async ({ gotoPage, page }) => {
    await gotoPage('/explorer');
    await expect(page.locator(rows).first()).toBeVisible();
    await page.getByRole('radio', { name: '10', exact: true }).check({ force: true });
    await expect(page.locator(rows)).toHaveCount(10);
    const next = page.getByRole('button', { name: 'Next' });
    if (await next.isEnabled()) {
      await next.click();
      await expect(page.getByText('Page 2')).toBeVisible();
      await page.getByRole('button', { name: 'Previous' }).click();
      await expect(page.getByText('Page 1')).toBeVisible();
    }
    await page.getByRole('button', { name: 'Latency', exact: true }).click();
    await expect(page).toHaveURL(/[?&]sort=latency/);
  });

  test('a latency bar and a scatter point lead to the messages behind them', async ({ gotoPage, page }) => {
    await gotoPage('/explorer');
    await page
      .getByRole('button', { name: /^Filter latency .*:\s*[1-9]\d*\s+messages$/ })
      .first()
      .click();
    await expect(page).toHaveURL(/[?&](min|max)_latency_ms=/);
    await page
      .getByRole('link', { name: /^Open message / })
      .first()
      .click();
    await expect(page).toHaveURL(/\/explorer\/message\/[^/?]+/);
  });
});
