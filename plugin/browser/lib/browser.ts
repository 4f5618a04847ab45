/**
 * Chromium for the suite: Debian's /usr/bin/chromium driven by playwright-core (no browser download),
 * and the checks every page gets: console errors, the XSS trap, layout overflow, axe-core.
 */
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { PWNED_TRAP } from '../stack/hostile';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type Theme = 'light' | 'dark';

export interface SuiteBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** playwright-core gives every launch a fresh, temporary --user-data-dir of its own (and refuses ours). */
export async function launchChromium(): Promise<SuiteBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}

export interface SuitePage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /** Requests the page made to anything but its own origin. */
  foreignRequests: string[];
  /** Requests the page is waiting for right now. */
  inflight: Set<string>;
  /** Every response body of Grafana's API the page received (to prove the token never arrives). */
  apiBodies: string[];
}

/** Console noise that is not ours: the 404s the host serves for Grafana's own fonts and icons. */
function ignorable(msg: ConsoleMessage): boolean {
  return msg.text().startsWith('Failed to load resource: the server responded with a status of 404');
}

export async function openPage(
  b: SuiteBrowser,
  baseUrl: string,
  theme: Theme,
  viewport = { width: 1440, height: 900 }
) {
  const context = await b.browser.newContext({ viewport, baseURL: baseUrl, reducedMotion: 'reduce' });
  // esbuild-compiled callers (tsx) wrap functions in a __name() helper that the page does not have.
  await context.addInitScript({ content: 'window.__name = window.__name || ((f) => f);' });
  await context.addInitScript(
    ({ theme, trap }) => {
      (window as unknown as Record<string, unknown>).__hostTheme = theme;
      // Any payload that runs sets this; a setter also catches writes that are immediately undone.
      let value: unknown;
      Object.defineProperty(window, trap, {
        configurable: false,
        get: () => value,
        set: (v) => {
          value = v ?? 'set';
        },
      });
      window.alert = () => {
        value = value ?? 'alert';
      };
    },
    { theme, trap: PWNED_TRAP }
  );
  const page = await context.newPage();
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !ignorable(msg)) {
      errors.push(msg.text());
    }
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.stack ?? err.message}`));
  const inflight = new Set<string>();
  const apiBodies: string[] = [];
  const origin = new URL(baseUrl).origin;
  let seq = 0;
  const ids = new WeakMap<object, string>();
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      foreignRequests.push(url);
    }
    const id = String(seq++);
    ids.set(req, id);
    inflight.add(id);
  });
  const done = (req: object) => inflight.delete(ids.get(req) ?? '');
  page.on('requestfinished', (req) => {
    done(req);
    if (req.url().startsWith(`${origin}/api/`)) {
      void req
        .response()
        .then((res) => res?.text())
        .then((text) => text !== undefined && apiBodies.push(text))
        .catch(() => undefined);
    }
  });
  page.on('requestfailed', done);
  return { context, page, errors, foreignRequests, inflight, apiBodies } satisfies SuitePage;
}

/** Navigates and waits for the host to boot (or fail). */
export async function gotoApp(p: SuitePage, path: string): Promise<void> {
  await p.page.goto(path);
  await p.page.waitForFunction(() => window.__hostReady || window.__hostError, undefined, { timeout: 30_000 });
  const error = await p.page.evaluate(() => window.__hostError);
  if (error) {
    throw new Error(`the host page failed to boot: ${error}`);
  }
}

/** Waits until no request has been in flight for `quietMs`, then for two frames to be painted. */
export async function settle(p: SuitePage, quietMs = 400, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    if (p.inflight.size > 0) {
      quietSince = Date.now();
    }
    if (Date.now() > deadline) {
      throw new Error(`requests still in flight after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

export async function pwned(page: Page): Promise<unknown> {
  return page.evaluate((trap) => (window as unknown as Record<string, unknown>)[trap], PWNED_TRAP);
}

export interface Overflow {
  element: string;
  container: string;
  by: number;
}

/**
 * Elements whose box sticks out of the panel that holds them (sections, chart frames, Grafana panels,
 * cards), by more than a pixel, and elements wider than the window. Scrollable and clipping containers
 * are respected: what they clip is not an overflow.
 */
export async function findOverflows(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    const describe = (el: Element) => {
      const label =
        el.getAttribute('aria-label') || el.getAttribute('data-testid') || (el.textContent ?? '').trim().slice(0, 40);
      return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''} "${label}"`;
    };
    const panels = Array.from(
      document.querySelectorAll(
        'main section, main [data-viz-panel-key], main [data-testid="data-testid panel content"], main dl > div, main header'
      )
    );
    const out: Array<{ element: string; container: string; by: number }> = [];
    const viewport = document.documentElement.clientWidth;
    for (const el of Array.from(document.querySelectorAll('main *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) {
        continue;
      }
      if (r.right > viewport + 1) {
        // Inside a horizontally scrollable ancestor this is fine.
        let clipped = false;
        for (let a = el.parentElement; a; a = a.parentElement) {
          const s = getComputedStyle(a);
          if (s.overflowX !== 'visible' && a.getBoundingClientRect().right <= viewport + 1) {
            clipped = true;
            break;
          }
        }
        if (!clipped) {
          out.push({ element: describe(el), container: 'window', by: Math.round(r.right - viewport) });
        }
      }
    }
    for (const panel of panels) {
      const box = panel.getBoundingClientRect();
      if (box.width === 0) {
        continue;
      }
      for (const el of Array.from(panel.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) {
          continue;
        }
        let clipped = false;
        for (let a = el.parentElement; a && a !== panel; a = a.parentElement) {
          const s = getComputedStyle(a);
          if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
            clipped = true;
            break;
          }
        }
        if (clipped) {
          continue;
        }
        const by = Math.max(r.right - box.right, box.left - r.left);
        if (by > 1) {
          out.push({ element: describe(el), container: describe(panel), by: Math.round(by) });
        }
      }
    }
    return out;
  });
}

/** Overlapping siblings in the definition lists (the message header's label/value grid). */
export async function findOverlaps(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    for (const list of Array.from(document.querySelectorAll(sel))) {
      const items = Array.from(list.children).map((c) => ({ el: c, r: c.getBoundingClientRect() }));
      for (const item of items) {
        for (const inner of Array.from(item.el.querySelectorAll('*'))) {
          const r = inner.getBoundingClientRect();
          for (const other of items) {
            if (other === item || r.width === 0) {
              continue;
            }
            const o = other.r;
            const overlap = Math.min(r.right, o.right) - Math.max(r.left, o.left);
            const vertical = Math.min(r.bottom, o.bottom) - Math.max(r.top, o.top);
            if (overlap > 1 && vertical > 1) {
              out.push(
                `${(item.el.textContent ?? '').slice(0, 30)} runs into ${(other.el.textContent ?? '').slice(0, 30)}`
              );
            }
          }
        }
      }
    }
    return out;
  }, selector);
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core run inside the page; only serious and critical violations are returned. */
export async function seriousAxeViolations(
  page: Page,
  excludes: Array<{ rule: string; selector: string }> = []
): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  return page.evaluate(async (excluded) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown
          ) => Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              help: string;
              nodes: Array<{ target: string[]; failureSummary?: string }>;
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    const upstream = (rule: string, target: string[]) =>
      excluded.some((e) => e.rule === rule && document.querySelector(target.join(' '))?.closest(e.selector));
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !upstream(v.id, n.target)) }))
      .filter((v) => v.nodes.length > 0)
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`.slice(0, 300)),
      }));
  }, excludes);
}
