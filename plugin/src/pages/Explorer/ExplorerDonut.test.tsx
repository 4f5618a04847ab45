/** A chart click-through in a jsdom of its own (see Explorer.test.tsx). */
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';
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

describe('Explorer page, donut click-through', () => {
  it('filters by category when a slice of the donut is clicked, and the back button undoes it', async () => {
    renderAppAt(EXPLORER);
    const buckets = (await sidecarAggregations()).breakdowns.category.filter((b) => b.messages > 0);
    const smallest = [...buckets].sort((a, b) => a.messages - b.messages)[0];
    const button = await screen.findByRole('button', { name: new RegExp(`^Filter by category ${smallest.key} `) });
    await waitFor(() => expect(rowIds().length).toBeGreaterThan(smallest.messages));
    await userEvent.click(button);
    await waitFor(() => expect(currentSearch().getAll('category')).toEqual([smallest.key]));
    await expectRows(await apiIds(`category=${smallest.key}`));
    expect(rowIds()).toHaveLength(smallest.messages);
    expect(screen.getByRole('button', { name: new RegExp(`^Filter by category ${smallest.key} `) })).toHaveAttribute(
      'aria-pressed',
      'true'
    );

    act(() => locationService.getHistory().goBack());
    await waitFor(() => expect(currentSearch().getAll('category')).toEqual([]));
    await waitFor(() => expect(rowIds()).toHaveLength(grafana.sidecar.seed.total));
  });
});
