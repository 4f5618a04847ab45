/**
 * Runs last (files run in name order): the Overview's ratio cards over a window with no requests in it,
 * once the seeded traffic is older than the window. 0/0 must read "no traffic", never "NaN".
 */
import { settle } from './lib/browser';
import { APP, navigate, Suite } from './lib/suite';

const suite = new Suite();
afterAll(() => suite.close());

// The cards show the last value of the range: a 1-minute rate window at each point of the last 20 s,
// so every point must be more than 80 s after the last request.
const QUIET_MS = 85_000;

/** When the last request through the stack's sidecar ended: the seeding, or a later suite's (the Playground's). */
async function lastTrafficAt(): Promise<number> {
  const res = await fetch(`${suite.info.sidecarUrl}/analytics/messages?limit=10`, {
    headers: { authorization: `Bearer ${suite.info.token}` },
  });
  const { messages } = (await res.json()) as { messages: Array<{ started_at: number; duration_ms: number }> };
  const newest = Math.max(0, ...messages.map((m) => m.started_at + m.duration_ms));
  return Math.max(suite.info.lastTrafficAt, newest);
}

it(
  'average latency and error rate say "no traffic" for a window without requests',
  async () => {
    const wait = (await lastTrafficAt()) + QUIET_MS - Date.now();
    if (wait > 0) {
      await new Promise((r) => setTimeout(r, wait));
    }
    const p = await suite.page();
    await navigate(p, `${APP}/overview?var-window=1m&from=now-20s&to=now`, 'text=Live metrics (Prometheus)');
    await p.page.waitForTimeout(500);
    await settle(p);
    const card = (title: string) =>
      p.page.locator('[data-viz-panel-key]', { has: p.page.getByRole('heading', { name: title, exact: true }) });
    for (const title of ['Avg latency', 'Error rate']) {
      const text = await card(title).innerText();
      expect(text).toContain('no traffic');
      expect(text).not.toMatch(/NaN/);
    }
    // Requests per minute is a plain rate: 0, a number.
    await expect(card('Requests / min').innerText()).resolves.toMatch(/\b0(\.0)?\b/);
    expect(p.errors).toEqual([]);
    // Up to QUIET_MS of waiting comes first.
  },
  QUIET_MS + 90_000
);
