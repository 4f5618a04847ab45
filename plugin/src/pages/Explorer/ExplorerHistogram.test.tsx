/** A chart click-through in a jsdom of its own (see Explorer.test.tsx). */
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { sidecarMessages } from '../../testing/sidecarApi';
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

describe('Explorer page, histogram click-through', () => {
  it('filters by latency band when a histogram bar is clicked', async () => {
    renderAppAt(EXPLORER);
    const bars = await screen.findAllByRole('button', { name: /^Filter latency / });
    const enabled = bars.find((b) => !(b as HTMLButtonElement).disabled);
    expect(enabled).toBeDefined();
    await userEvent.click(enabled!);
    await waitFor(() =>
      expect(currentSearch().get('min_latency_ms') ?? currentSearch().get('max_latency_ms')).not.toBeNull()
    );
    const search = currentSearch();
    const query = ['min_latency_ms', 'max_latency_ms']
      .filter((k) => search.get(k) !== null)
      .map((k) => `${k}=${search.get(k)}`)
      .join('&');
    await expectRows(await apiIds(query));
    expect(rowIds().length).toBeGreaterThan(0);
  });
});
