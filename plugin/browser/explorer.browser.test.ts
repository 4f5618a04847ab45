/**
 * The Explorer in Chromium against the real sidecar: every filter (set through the UI, checked in the
 * URL and against the rows), chart click-through, paging, sorting, and the keyboard alone.
 */
import { settle } from './lib/browser';
import { openExplorer, pickOption, rows, search, tabTo, untilUrl } from './lib/explorer';
import { APP, checkPage, Suite } from './lib/suite';

const suite = new Suite();
afterAll(() => suite.close());

describe('Explorer filters', () => {
  it('search: Enter runs it, the rows match and the best matches are highlighted', async () => {
    const p = await suite.page();
    await openExplorer(p);
    const box = p.page.getByRole('textbox', { name: 'Search prompts and responses' });
    await box.fill('Lima');
    await box.press('Enter');
    await untilUrl(p, (q) => q.get('q') === 'Lima', 'q=Lima');
    const shown = await rows(p.page);
    expect(shown.map((r) => r.id)).toEqual([suite.info.ids.tools]);
    await expect(
      p.page.getByRole('region', { name: 'Best matches' }).locator('mark').first().textContent()
    ).resolves.toMatch(/lima/i);
  });

  it('model: only that model’s messages', async () => {
    const p = await suite.page();
    await openExplorer(p);
    // Models by their canonical names (requested as tiny2), as the metric labels have them.
    await pickOption(p, 'Model', 'tiny2:latest');
    await untilUrl(p, (q) => q.getAll('model').join() === 'tiny2:latest', 'model=tiny2:latest');
    const shown = await rows(p.page);
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.every((r) => r.text.split('\t')[1] === 'tiny2:latest')).toBe(true);
  });

  it('status: the failed and the cancelled request', async () => {
    const p = await suite.page();
    await openExplorer(p);
    await pickOption(p, 'Status', 'error');
    await untilUrl(p, (q) => q.getAll('status').join() === 'error', 'status=error');
    expect((await rows(p.page)).map((r) => r.id)).toEqual([suite.info.ids.error]);
    // Two statuses, from a shared link.
    await openExplorer(p, '?status=error&status=cancelled');
    expect((await rows(p.page)).map((r) => r.id).sort()).toEqual(
      [suite.info.ids.error, suite.info.ids.cancelled].sort()
    );
  });

  it('category: rows of that category only', async () => {
    const p = await suite.page();
    await openExplorer(p);
    await pickOption(p, 'Category', 'code');
    await untilUrl(p, (q) => q.getAll('category').join() === 'code', 'category=code');
    expect((await rows(p.page)).map((r) => r.id)).toContain(suite.info.ids.generate);
  });

  it('user: typed and confirmed with Enter', async () => {
    const p = await suite.page();
    await openExplorer(p);
    // An input with a list of suggestions is a combobox.
    const user = p.page.getByRole('combobox', { name: 'User', exact: true });
    await user.fill('carol');
    await user.press('Enter');
    await untilUrl(p, (q) => q.get('user') === 'carol', 'user=carol');
    const shown = await rows(p.page);
    expect(shown.length).toBe(3);
    expect(shown.every((r) => r.text.split('\t')[2] === 'carol')).toBe(true);
  });

  it('advanced: a token range', async () => {
    const p = await suite.page();
    await openExplorer(p);
    await p.page.getByRole('button', { name: 'Advanced filters' }).click();
    const min = p.page.getByRole('spinbutton', { name: 'Min input tokens' });
    await min.fill('200');
    await min.press('Tab');
    await untilUrl(p, (q) => q.get('min_input_tokens') === '200', 'min_input_tokens=200');
    const shown = await rows(p.page);
    expect(shown.length).toBeGreaterThan(0);
    for (const r of shown) {
      expect(Number(r.text.split('\t')[4].split(' / ')[0].replace(/,/g, ''))).toBeGreaterThanOrEqual(200);
    }
  });

  it('clear filters brings every message back', async () => {
    const p = await suite.page();
    await openExplorer(p, '?user=carol&status=error');
    expect(await rows(p.page)).toHaveLength(1);
    await p.page.getByRole('button', { name: 'Clear filters' }).click();
    await untilUrl(p, (q) => !q.has('user') && !q.has('status'), 'no filters');
    expect((await rows(p.page)).length).toBe(25);
  });
});

describe('Explorer charts', () => {
  it('a category in the donut filters by it', async () => {
    const p = await suite.page();
    await openExplorer(p);
    await p.page.getByRole('button', { name: /^Filter by category code / }).click();
    await untilUrl(p, (q) => q.getAll('category').join() === 'code', 'category=code');
    await expect(
      p.page.getByRole('button', { name: /^Filter by category code / }).getAttribute('aria-pressed')
    ).resolves.toBe('true');
  });

  it('a latency bar filters by its band', async () => {
    const p = await suite.page();
    await openExplorer(p);
    const bar = p.page.getByRole('button', { name: /^Filter latency .*:\s*[1-9]\d*\s+messages$/ }).first();
    const title = (await bar.getAttribute('title')) ?? '';
    const count = Number(/: (\d+) messages$/.exec(title)![1]);
    await bar.click();
    await untilUrl(p, (q) => q.has('max_latency_ms') || q.has('min_latency_ms'), 'a latency range');
    expect((await rows(p.page)).length).toBe(Math.min(count, 25));
  });

  it('a point in the scatter opens its message', async () => {
    const p = await suite.page();
    await openExplorer(p);
    // The last point is drawn on top: with every message of a small window shown, points can overlap.
    const point = p.page.getByRole('link', { name: /^Open message [0-9a-f-]{36}:/ }).last();
    const id = /^Open message ([0-9a-f-]{36}):/.exec((await point.getAttribute('aria-label')) ?? '')![1];
    await point.click();
    await p.page.waitForURL(`**${APP}/explorer/message/${id}*`);
    await p.page.waitForSelector('dl[aria-label="Message header"]');
    await settle(p);
    await expect(p.page.locator('dl[aria-label="Message header"]').textContent()).resolves.toContain(id);
  });

  it('colours the points by latency and shapes them by model', async () => {
    const p = await suite.page();
    await openExplorer(p);
    const points = await p.page.$$eval(
      '[aria-label="Input versus output tokens per message"] path[role="link"]',
      (els) =>
        els.map((e) => ({
          shape: e.getAttribute('data-shape'),
          band: e.getAttribute('data-latency-band'),
          label: e.getAttribute('aria-label') ?? '',
        }))
    );
    expect(points.length).toBeGreaterThan(0);
    const shapeByModel = new Map<string, Set<string | null>>();
    for (const pt of points) {
      const model = /: ([^,]+),/.exec(pt.label)![1];
      shapeByModel.set(model, (shapeByModel.get(model) ?? new Set()).add(pt.shape));
    }
    // One shape per model, a different one for each.
    expect([...shapeByModel.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...shapeByModel.values()].map((s) => [...s][0])).size).toBe(shapeByModel.size);
    expect(points.every((pt) => pt.band)).toBe(true);
  });
});

describe('Explorer table', () => {
  it('pages through the messages and back', async () => {
    const p = await suite.page();
    await openExplorer(p);
    await p.page.getByRole('radio', { name: '10', exact: true }).check({ force: true });
    await settle(p);
    const first = await rows(p.page);
    expect(first).toHaveLength(10);
    await p.page.getByRole('button', { name: 'Next' }).click();
    await p.page.getByText('Page 2').waitFor();
    await settle(p);
    const second = await rows(p.page);
    expect(second).toHaveLength(10);
    expect(second.some((r) => first.some((f) => f.id === r.id))).toBe(false);
    await p.page.getByRole('button', { name: 'Previous' }).click();
    await p.page.getByText('Page 1').waitFor();
    await settle(p);
    expect((await rows(p.page)).map((r) => r.id)).toEqual(first.map((r) => r.id));
    await p.page.getByRole('radio', { name: '25', exact: true }).check({ force: true });
    await settle(p);
  });

  it('sorts by latency from its column header', async () => {
    const p = await suite.page();
    await openExplorer(p);
    await p.page.getByRole('button', { name: 'Latency', exact: true }).click();
    await untilUrl(p, (q) => q.get('sort') === 'latency', 'sort=latency');
    const ms = (await rows(p.page)).map((r) => r.text.split('\t')[5]);
    const toMs = (t: string) => (t.endsWith(' ms') ? parseFloat(t) : t.endsWith(' s') ? parseFloat(t) * 1000 : NaN);
    const values = ms.map(toMs).filter((v) => !Number.isNaN(v));
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });
});

describe('Explorer rows and columns', () => {
  it('a row opens a preview of its prompt and answer, and closes it again', async () => {
    const p = await suite.page();
    await openExplorer(p, '?q=haiku');
    const row = p.page.locator(`[data-message-id="${suite.info.ids.thinking}"]`);
    const toggle = row.getByRole('button', { name: 'Preview' });
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await toggle.click();
    const preview = p.page.getByTestId('message-preview');
    await preview.getByText(/Moon pulls the water/).waitFor();
    await expect(preview.innerText()).resolves.toContain('Write a haiku about tides.');
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    // Still on the Explorer: the preview does not open the message.
    expect(p.page.url()).toContain('/explorer?');
    await toggle.click();
    await expect(preview.count()).resolves.toBe(0);
  });

  it('hides and shows columns, and remembers the choice', async () => {
    const p = await suite.freshPage();
    await p.page.goto(`${APP}/explorer`);
    await p.page.waitForSelector('[data-testid="message-row"]');
    await settle(p);
    const headers = () => p.page.locator('thead th').allInnerTexts();
    expect(await headers()).toContain('Cost');
    await p.page.getByRole('button', { name: 'Columns' }).click();
    await p.page.getByRole('group', { name: 'Table columns' }).getByText('Cost', { exact: true }).click();
    expect(await headers()).not.toContain('Cost');
    expect((await rows(p.page))[0].text.split('\t')).toHaveLength(7);
    await p.page.reload();
    await p.page.waitForSelector('[data-testid="message-row"]');
    expect(await headers()).not.toContain('Cost');
    await p.context.close();
  });
});

describe('Explorer with the keyboard alone', () => {
  it('search, a model filter, sorting and opening a message', async () => {
    const p = await suite.freshPage();
    await p.page.goto(`${APP}/explorer`);
    await p.page.waitForSelector('[data-testid="message-row"]');
    await settle(p);

    await tabTo(p.page, `(el) => el?.getAttribute('aria-label') === 'Search prompts and responses'`);
    await p.page.keyboard.type('fruit');
    await p.page.keyboard.press('Enter');
    await untilUrl(p, (q) => q.get('q') === 'fruit', 'q=fruit');

    await tabTo(p.page, `(el) => el?.id === 'ollamalens-filter-model'`);
    await p.page.keyboard.type('tiny2');
    await p.page.getByRole('option', { name: 'tiny2:latest', exact: true }).waitFor();
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('Enter');
    await p.page.keyboard.press('Escape');
    await untilUrl(p, (q) => q.getAll('model').join() === 'tiny2:latest', 'model=tiny2:latest');

    await tabTo(p.page, `(el) => el?.tagName === 'BUTTON' && el.textContent.trim() === 'Tokens in / out'`);
    await p.page.keyboard.press('Enter');
    await untilUrl(p, (q) => q.get('sort') === 'tokens', 'sort=tokens');

    const target = (await rows(p.page))[0];
    expect(target.text).toContain('fruit');
    await tabTo(p.page, `(el) => el?.tagName === 'A' && el.closest('[data-testid="message-row"]') !== null`);
    await p.page.keyboard.press('Enter');
    await p.page.waitForURL(`**/explorer/message/${target.id}*`);
    await p.page.waitForSelector('dl[aria-label="Message header"]');
    // The filters travel along: back to the Explorer keeps them.
    expect(search(p.page).get('q')).toBe('fruit');
    await p.page.keyboard.press('Tab');
    const check = await checkPage(p);
    expect(check.consoleErrors).toEqual([]);
    await p.context.close();
  });
});
