import type { InstalledModels } from '@ollama-lens/contracts';
import { E2E, expect, test } from './fixtures';

test('the Playground streams an answer and links to its stored message', async ({ gotoPage, page }) => {
  const api = await page.request.get(
    `/api/datasources/proxy/uid/${E2E.messagesDataSourceUid}/sidecar/analytics/models/installed`
  );
  const models = (await api.json()) as InstalledModels;
  // The default model is preselected; without one, the first installed.
  const preselected = models.preferences.default_model ?? models.installed[0]?.name;
  test.skip(!preselected, 'Ollama has no model installed');

  await gotoPage('/playground');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue(preselected!);
  await page.getByLabel(/^Max tokens/).fill('16');
  await page.getByLabel('Prompt').fill('Say hello in three words.');
  await page.getByRole('button', { name: 'Send' }).click();

  const answer = page.getByTestId('ollamalens-playground-answer-0');
  await expect(answer.getByTestId('ollamalens-playground-answer-text-0')).not.toBeEmpty({ timeout: 120_000 });
  const link = answer.getByRole('link', { name: 'Open this exchange in the Explorer' });
  await expect(link).toBeVisible({ timeout: 120_000 });
  await expect(answer.getByTestId('ollamalens-playground-ttft-0')).toHaveText(/^TTFT \d/);

  await link.click();
  await expect(page).toHaveURL(/\/a\/ollamalens-explorer-app\/explorer\/message\/.+/);
  await expect(page.getByLabel('Message header')).toContainText(preselected!);
});
