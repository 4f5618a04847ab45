import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';
import { sidecarMessages } from '../../testing/sidecarApi';
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

/** Role queries walk the whole accessibility tree of Grafana UI, which is slow in jsdom; text is enough here. */
const button = (text: string) => screen.getByText(text, { selector: 'button, button *' }).closest('button')!;

// The full render with every chart is in ExplorerCharts.test.tsx: after it, a new render of the Explorer in
// the same jsdom does not start its queries (in Chromium it does: plugin/browser), so it gets its own.
describe('Explorer page', () => {
  it('asks the sidecar once for the analytics and once for the first page when it opens', async () => {
    const before = grafana.backend.sent.length;
    renderAppAt(`${EXPLORER}?user=alice`);
    await waitFor(() => expect(rowIds()).toHaveLength(2));
    // Requests are recorded when sent; a second load would start at mount, before the first answer.
    const urls = grafana.backend.sent.slice(before).map((r) => r.url.split('?')[0]);
    expect(urls.filter((u) => u.endsWith('/analytics/aggregations'))).toHaveLength(1);
    expect(urls.filter((u) => u.endsWith('/analytics/messages'))).toHaveLength(1);
  });

  it('searches the full text and writes the search into the URL', async () => {
    renderAppAt(EXPLORER);
    await waitFor(() => expect(rowIds().length).toBeGreaterThan(1));
    const box = screen.getByLabelText('Search prompts and responses');
    await userEvent.type(box, 'ocean tides{Enter}');
    await waitFor(() => expect(currentSearch().get('q')).toBe('ocean tides'));
    await expectRows(await apiIds('q=ocean%20tides'));
    expect(rowIds()).toContain(grafana.sidecar.seed.ids.summarize);
    expect(screen.getAllByText(/Summarize this article about ocean tides/).length).toBeGreaterThan(0);
    // The best matches highlight the searched words.
    const matches = await screen.findAllByTestId('search-match');
    expect(matches.length).toBeGreaterThan(0);
    const marked = matches.flatMap((m) =>
      Array.from(m.querySelectorAll('mark')).map((mark) => mark.textContent?.toLowerCase())
    );
    expect(marked).toEqual(expect.arrayContaining(['ocean', 'tides']));
  });

  it('opens a shared link with its filters applied and shows them in the controls', async () => {
    renderAppAt(`${EXPLORER}?model=tiny2&user=bob&sort=latency&order=asc`);
    const expected = await apiIds('model=tiny2&user=bob&sort=latency&order=asc');
    expect(expected.length).toBeGreaterThan(0);
    await expectRows(expected, true);
    expect(screen.getByLabelText('User')).toHaveValue('bob');
    // The model filter shows tiny2 as a removable value.
    expect(screen.getByLabelText('Remove tiny2')).toBeInTheDocument();
    expect(screen.getByText('Latency', { selector: 'button' }).closest('th')).toHaveAttribute('aria-sort', 'ascending');
    const search = currentSearch();
    expect(search.getAll('model')).toEqual(['tiny2']);
    expect(search.get('user')).toBe('bob');

    await userEvent.click(screen.getByText('Clear filters'));
    await waitFor(() => expect(currentSearch().get('user')).toBeNull());
    expect(currentSearch().get('model')).toBeNull();
    await waitFor(() => expect(rowIds()).toHaveLength(grafana.sidecar.seed.total));
  });

  it('reports bad values in a shared link instead of failing', async () => {
    renderAppAt(`${EXPLORER}?min_latency_ms=fast&sort=cheapest`);
    expect(await screen.findByText(/Some filters in the link were ignored/)).toBeInTheDocument();
    expect(screen.getByText(/min_latency_ms must be a number ≥ 0, got "fast"/)).toBeInTheDocument();
    await waitFor(() => expect(rowIds()).toHaveLength(grafana.sidecar.seed.total));
  });

  it('sorts by a column and pages through the results with the cursor', async () => {
    renderAppAt(EXPLORER);
    await waitFor(() => expect(rowIds()).toHaveLength(grafana.sidecar.seed.total));
    await userEvent.click(screen.getByText('Tokens in / out', { selector: 'button' }));
    await waitFor(() => expect(currentSearch().get('sort')).toBe('tokens'));
    await expectRows(await apiIds('sort=tokens&order=desc'), true);

    await userEvent.click(screen.getByLabelText('10'));
    const firstPage = (await sidecarMessages('sort=tokens&order=desc&limit=10')).messages.map((m) => m.id);
    await expectRows(firstPage, true);
    await userEvent.click(button('Next'));
    const all = await apiIds('sort=tokens&order=desc');
    await expectRows(all.slice(10), true);
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(button('Next')).toBeDisabled();
    await userEvent.click(button('Previous'));
    await expectRows(firstPage, true);
  });

  it('opens a message from the table and from the token scatter', async () => {
    const { unmount } = renderAppAt(EXPLORER);
    const { ids } = grafana.sidecar.seed;
    const row = await waitFor(() => {
      const found = screen.getAllByTestId('message-row').find((r) => r.getAttribute('data-message-id') === ids.code);
      expect(found).toBeDefined();
      return found!;
    });
    await userEvent.click(row.querySelector('td')!);
    await waitFor(() => expect(locationService.getLocation().pathname).toBe(`${EXPLORER}/message/${ids.code}`));
    expect(await screen.findByLabelText('Message header')).toHaveTextContent('bob');
    unmount();

    renderAppAt(EXPLORER);
    const point = await screen.findByLabelText(new RegExp(`^Open message ${ids.summarize}:`));
    fireEvent.click(point);
    await waitFor(() => expect(locationService.getLocation().pathname).toBe(`${EXPLORER}/message/${ids.summarize}`));
  });

  it('exports the current filter through the data source proxy', async () => {
    renderAppAt(`${EXPLORER}?user=alice`);
    await waitFor(() => expect(rowIds()).toHaveLength(2));
    await userEvent.click(button('Export'));
    const csv = (await screen.findByText('CSV')).closest('a')!;
    const href = csv.getAttribute('href') ?? '';
    expect(href).toMatch(/^\/api\/datasources\/proxy\/uid\/ollamalens-messages\/sidecar\/analytics\/export\?/);
    const params = new URLSearchParams(href.split('?')[1]);
    expect(params.get('format')).toBe('csv');
    expect(params.get('user')).toBe('alice');
    expect(Number(params.get('from'))).toBeLessThan(Number(params.get('to')));

    const text = await grafana.backend.get<string>(href);
    const lines = String(text).trim().split('\n');
    expect(lines).toHaveLength(3); // header + alice's two messages
    expect(text).toContain(grafana.sidecar.seed.ids.summarize);
    expect(text).toContain(grafana.sidecar.seed.ids.translate);

    const json = screen.getByText('JSON').closest('a')!;
    expect(new URLSearchParams((json.getAttribute('href') ?? '').split('?')[1]).get('format')).toBe('json');
  });
});
