import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';
import type { StatusLine } from '@ollama-lens/contracts';
import { panelByKey } from '../../queries';
import { sidecarGet } from '../../testing/sidecarApi';
import { currentSearch, renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import { OVERVIEW_CARDS, OVERVIEW_CHARTS } from './overviewPage';
import { queryRunnerFor } from './prometheusPanels';

const APP = '/a/ollamalens-explorer-app';

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
});
afterAll(() => grafana.stop());

describe('Overview page', () => {
  it('is the landing page: the app root redirects to it', async () => {
    renderAppAt(APP);
    await waitFor(() => expect(locationService.getLocation().pathname).toBe(`${APP}/overview`));
  });

  it('shows the stored-message cards from the sidecar and the key Prometheus panels', async () => {
    renderAppAt(`${APP}/overview`);
    await waitFor(() =>
      expect(screen.getByTestId('card-value-Messages')).toHaveTextContent(String(grafana.sidecar.seed.total))
    );
    for (const key of [...OVERVIEW_CARDS, ...OVERVIEW_CHARTS]) {
      expect(screen.getAllByText(panelByKey(key).title).length).toBeGreaterThan(0);
    }
    const search = currentSearch();
    expect(search.get('var-datasource')).toBe('ollamalens-prometheus');
    expect(search.get('var-window')).toBe('5m');
    expect(screen.getByText('Full Overview dashboard').closest('a')).toHaveAttribute('href', '/d/ollamalens-overview');
  });

  it('opens with the status line the sidecar writes from its signals', async () => {
    const status = await sidecarGet<StatusLine>('/analytics/status');
    renderAppAt(`${APP}/overview`);
    const banner = await screen.findByTestId('ollamalens-status-line');
    await waitFor(() => expect(banner).toHaveTextContent(status.line));
    expect(banner).toHaveTextContent(status.source === 'model' ? 'phrased by a model' : 'from the rules');
  });

  it('links to the Explorer', async () => {
    renderAppAt(`${APP}/overview`);
    await userEvent.click(await screen.findByText('Open the Explorer'));
    await waitFor(() => expect(locationService.getLocation().pathname).toBe(`${APP}/explorer`));
  });

  it('runs the catalogue’s PromQL unchanged against the Prometheus variable', () => {
    for (const key of [...OVERVIEW_CARDS, ...OVERVIEW_CHARTS]) {
      const def = panelByKey(key);
      const runner = queryRunnerFor(def);
      expect(runner.state.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(runner.state.queries.map((q) => (q as { expr?: string }).expr)).toEqual(def.queries.map((q) => q.expr));
    }
  });
});
