import type { InstalledModels } from '@ollama-lens/contracts';
import { E2E, expect, test } from './fixtures';

const MODELS_API = `/api/datasources/proxy/uid/${E2E.messagesDataSourceUid}/sidecar/analytics/models/installed`;

test('the Models page lists what Ollama has, what is loaded and the usage, with a detail drawer', async ({
  gotoPage,
  page,
}) => {
  // What the sidecar says Ollama has, read through Grafana's data source proxy like the page does.
  const api = await page.request.get(MODELS_API);
  expect(api.ok()).toBe(true);
  const models = (await api.json()) as InstalledModels;
  expect(models.installed.length).toBeGreaterThan(0);

  await gotoPage('/models');
  await expect(page.getByRole('heading', { name: 'Installed models' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Loaded now' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Usage in this time range' })).toBeVisible();
  for (const m of models.installed) {
    await expect(page.getByTestId(`ollamalens-models-installed-${m.name}`)).toBeVisible();
  }
  for (const m of models.loaded) {
    await expect(page.getByTestId(`ollamalens-models-loaded-${m.name}`)).toBeVisible();
  }

  // This spec runs as the Grafana Admin: the actions show exactly when the sidecar has an actions token.
  const first = models.installed[0].name;
  if (models.actions_enabled) {
    await expect(page.getByRole('button', { name: `Delete ${first}` })).toBeVisible();
    await expect(page.getByLabel('Model to pull')).toBeVisible();
  } else {
    await expect(page.getByText('Model actions are off')).toBeVisible();
    await expect(page.getByRole('button', { name: `Delete ${first}` })).toHaveCount(0);
  }

  await page.getByRole('button', { name: first, exact: true }).click();
  const drawer = page.getByTestId('ollamalens-models-drawer');
  await expect(drawer.getByRole('tab', { name: 'Modelfile' })).toBeVisible();
  await drawer.getByRole('tab', { name: 'Modelfile' }).click();
  await expect(drawer.getByLabel('Modelfile')).toContainText('FROM');
});

test('an Admin loads and unloads a model when the sidecar has an actions token', async ({ gotoPage, page }) => {
  const models = (await (await page.request.get(MODELS_API)).json()) as InstalledModels;
  test.skip(!models.actions_enabled, 'the sidecar has no actions token (OLLAMA_LENS_ACTIONS_TOKEN)');
  const model = models.installed.find((m) => m.name.startsWith(E2E.model))?.name ?? models.installed[0].name;
  await gotoPage('/models');
  const row = page.getByTestId(`ollamalens-models-installed-${model}`);
  if (await row.getByRole('button', { name: `Unload ${model}` }).isVisible()) {
    await row.getByRole('button', { name: `Unload ${model}` }).click();
    await expect(page.getByTestId(`ollamalens-models-loaded-${model}`)).toHaveCount(0);
  }
  await row.getByRole('button', { name: `Load ${model}` }).click();
  await expect(page.getByTestId(`ollamalens-models-loaded-${model}`)).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: `Unload ${model} now` }).click();
  await expect(page.getByTestId(`ollamalens-models-loaded-${model}`)).toHaveCount(0);
});
