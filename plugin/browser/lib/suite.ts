/**
 * What the test files share: the stack's coordinates (from the globalSetup), a page per theme that
 * moves between the app's pages without reloading, and the checks every page must pass.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  findOverflows,
  gotoApp,
  launchChromium,
  openPage,
  pwned,
  seriousAxeViolations,
  settle,
  type SuiteBrowser,
  type SuitePage,
  type Theme,
} from './browser';

export const SUITE_ENV = 'OLLAMA_LENS_BROWSER_SUITE';

export interface SuiteInfo {
  baseUrl: string;
  sidecarUrl: string;
  token: string;
  /** Message ids by seed key (chat, streamed, error, cancelled, openai, tools, thinking, hostileAnswer, …). */
  ids: Record<string, string>;
  total: number;
  /** When the seeding sent its last request (ms since the epoch). */
  lastTrafficAt: number;
}

export function suiteInfo(): SuiteInfo {
  const raw = process.env[SUITE_ENV];
  if (!raw) {
    throw new Error(`${SUITE_ENV} is not set: run the browser suite with plugin/browser/jest.config.js`);
  }
  return JSON.parse(raw) as SuiteInfo;
}

export const APP = '/a/ollamalens-explorer-app';
export const CONFIG_PAGE = '/plugins/ollamalens-explorer-app?page=configuration';
export const messagePath = (id: string) => `${APP}/explorer/message/${id}`;

/** Where screenshots go: OLLAMA_LENS_SCREENSHOTS (npm run screenshots → docs/screenshots), else reports/. */
export const SCREENSHOTS = resolve(
  process.env.OLLAMA_LENS_SCREENSHOTS ?? join(__dirname, '..', '..', '..', 'reports', 'screenshots')
);

export interface ThemedPage extends SuitePage {
  theme: Theme;
}

/** One Chromium for a test file; pages open lazily per theme and boot the host once. */
export class Suite {
  private chromium?: SuiteBrowser;
  private readonly pages = new Map<Theme, ThemedPage>();
  readonly info = suiteInfo();

  async page(theme: Theme = 'dark', path = `${APP}/explorer`): Promise<ThemedPage> {
    const existing = this.pages.get(theme);
    if (existing) {
      return existing;
    }
    this.chromium ??= await launchChromium();
    const p = { ...(await openPage(this.chromium, this.info.baseUrl, theme)), theme };
    await gotoApp(p, path);
    this.pages.set(theme, p);
    return p;
  }

  /** A fresh page (own context): for tests that need a clean history or a reload. */
  async freshPage(theme: Theme = 'dark'): Promise<ThemedPage> {
    this.chromium ??= await launchChromium();
    return { ...(await openPage(this.chromium, this.info.baseUrl, theme)), theme };
  }

  async close(): Promise<void> {
    await this.chromium?.close();
  }
}

/** In-app navigation (as a link click in Grafana), then waits for `ready` and for the data to arrive. */
export async function navigate(p: SuitePage, url: string, ready: string): Promise<void> {
  await p.page.evaluate((u) => window.__hostNavigate!(u), url);
  await p.page.waitForSelector(ready, { timeout: 20_000 });
  await settle(p);
}

export interface PageCheck {
  consoleErrors: string[];
  overflows: string[];
  axe: string[];
  pwned: unknown;
}

/** Upstream Grafana components whose a11y findings are not the plugin's (see browser/README.md). */
const AXE_UPSTREAM_EXCLUDES = [
  // @grafana/ui's VizLegend labels every item "All series selected" while showing the series name.
  { rule: 'label-content-name-mismatch', selector: '[data-testid="data-testid viz-layout-legend"]' },
];

/** Runs every page-level check; returns the findings (the test asserts they are all empty). */
export async function checkPage(p: SuitePage): Promise<PageCheck> {
  const errors = p.errors.splice(0);
  const overflows = (await findOverflows(p.page)).map((o) => `${o.element} sticks out of ${o.container} by ${o.by}px`);
  const axe = (await seriousAxeViolations(p.page, AXE_UPSTREAM_EXCLUDES)).map(
    (v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`
  );
  return { consoleErrors: errors, overflows, axe, pwned: await pwned(p.page) };
}

export async function screenshot(p: ThemedPage, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await p.page.screenshot({ path: join(SCREENSHOTS, `${name}-${p.theme}.png`), fullPage: true });
}
