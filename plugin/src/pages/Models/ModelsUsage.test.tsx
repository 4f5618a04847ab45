/**
 * The Models page's usage table and its read-only state, against the real sidecar of the jest globalSetup
 * (seeded messages, no actions token). Its own file: a scene rendered after earlier renders in the same
 * jsdom can keep an earlier time range.
 */
import { screen, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import { MODELS_API, type ModelUsageResponse } from '@ollama-lens/contracts';
import { formatNumber, formatPercent } from '../../utils/format';
import { sidecarGet } from '../../testing/sidecarApi';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import { MODELS_TEST_IDS } from './testIds';

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
  config.bootData.user.orgRole = OrgRole.Admin;
});
afterAll(() => grafana.stop());

describe('Models page usage', () => {
  it('shows the store’s figures per model for the page’s time range, as the sidecar computes them', async () => {
    const to = Date.now() + 60_000;
    const from = to - 30 * 24 * 3600 * 1000;
    const expected = await sidecarGet<ModelUsageResponse>(`${MODELS_API.usage}?from=${from}&to=${to}`);
    expect(expected.models.length).toBeGreaterThan(0);
    renderAppAt(`/a/ollamalens-explorer-app/models?from=${from}&to=${to}`);
    const table = await screen.findByTestId(MODELS_TEST_IDS.usageTable);
    for (const usage of expected.models) {
      const row = within(table).getByTestId(MODELS_TEST_IDS.usageRow(usage.model));
      const cells = within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent);
      expect(cells.slice(0, 3)).toEqual([
        formatNumber(usage.requests),
        formatNumber(usage.input_tokens),
        formatNumber(usage.output_tokens),
      ]);
      expect(cells[6]).toBe(formatPercent(usage.error_rate));
    }
  });

  it('is read-only, with a note for an Admin, when the sidecar has no actions token', async () => {
    renderAppAt('/a/ollamalens-explorer-app/models');
    expect(await screen.findByText('Model actions are off')).toBeInTheDocument();
    await screen.findByTestId(MODELS_TEST_IDS.installedTable);
    expect(screen.queryByRole('button', { name: /^(Load|Unload|Delete|Copy) / })).toBeNull();
    expect(screen.queryByLabelText('Model to pull')).toBeNull();
  });
});
