/** The Explorer's full render with every chart, in a jsdom of its own (see Explorer.test.tsx). */
import { screen, waitFor } from '@testing-library/react';
import { sidecarAggregations, sidecarMessages } from '../../testing/sidecarApi';
import { currentSearch, renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';

const EXPLORER = '/a/ollamalens-explorer-app/explorer';

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
});
afterAll(() => grafana.stop());

const rowIds = () => screen.queryAllByTestId('message-row').map((r) => r.getAttribute('data-message-id'));

/** Waits until the table shows exactly `ids` (in this order when `ordered`). */
async function expectRows(ids: Array<string | null>, ordered = false) {
  await waitFor(() => {
    const shown = rowIds();
    if (ordered) {
      expect(shown).toEqual(ids);
    } else {
      expect([...shown].sort()).toEqual([...ids].sort());
    }
  });
}

async function apiIds(query: string): Promise<string[]> {
  return (await sidecarMessages(`limit=100&${query}`)).messages.map((m) => m.id);
}

describe('Explorer page, charts', () => {
  it('shows the stored messages, the summary cards and the charts, and puts its state in the URL', async () => {
    renderAppAt(EXPLORER);
    const seed = grafana.sidecar.seed;
    await expectRows((await apiIds('')).slice(0, 25), true);
    await waitFor(() => expect(screen.getByTestId('card-value-Messages')).toHaveTextContent(String(seed.total)));
    expect(screen.getByTestId('card-value-Unique users')).toHaveTextContent(String(seed.users.length));
    for (const category of (await sidecarAggregations()).breakdowns.category.filter((b) => b.messages > 0)) {
      expect(
        screen.getByRole('button', { name: new RegExp(`^Filter by category ${category.key} `) })
      ).toBeInTheDocument();
    }
    expect(screen.getAllByTitle('Open the message').length).toBeGreaterThan(0);
    const search = currentSearch();
    expect(search.get('from')).toBe('now-24h');
    expect(search.get('to')).toBe('now');
    expect(search.get('var-ds')).toBe('ollamalens-messages');
  });
});
