/** A chart click-through in a jsdom of its own (see Explorer.test.tsx). */
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';
import { sidecarAggregations } from '../../testing/sidecarApi';
import { EXPLORER, rowIds, expectRows, apiIds } from '../../testing/explorerTable';
import { currentSearch, renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';

// Stopgap: in jsdom, an Explorer render after one that drew charts sometimes never starts its queries (not
// in Chromium, where plugin/browser runs the same flows); a failed test is retried before it counts.
jest.retryTimes(2, { logErrorsBeforeRetry: true });

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
});
afterAll(() => grafana.stop());

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
