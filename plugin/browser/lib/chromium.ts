/**
 * Chromium for the suite (and bench/browser.ts): Debian's /usr/bin/chromium driven by playwright-core (no
 * browser download), pages that record console errors and requests, booting the host, waiting for quiet.
 * What runs inside the page is written as source text here, so this module needs no DOM typings.
 */
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { PWNED_TRAP } from '@ollama-lens/testkit/hostile';

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
  // The theme for the boot data, and the XSS trap: any payload that runs sets window[PWNED_TRAP] (a setter also
  // catches writes that are undone at once); alert() counts too.
  await context.addInitScript({
    content: `
      window.__hostTheme = ${JSON.stringify(theme)};
      (() => {
        let value;
        Object.defineProperty(window, ${JSON.stringify(PWNED_TRAP)}, {
          configurable: false,
          get: () => value,
          set: (v) => { value = v ?? 'set'; },
        });
        window.alert = () => { value = value ?? 'alert'; };
      })();`,
  });
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
  await p.page.waitForFunction('window.__hostReady || window.__hostError', undefined, { timeout: 30_000 });
  const error = (await p.page.evaluate('window.__hostError')) as string | undefined;
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
  await p.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}
