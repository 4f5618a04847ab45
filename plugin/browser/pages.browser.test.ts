/**
 * Every page of the app in Chromium, in the dark and the light theme: no console error, nothing sticking
 * out of its panel, no serious or critical axe-core finding, no payload ran. Writes a screenshot of each.
 */
import type { Theme } from './lib/browser';
import { APP, checkPage, CONFIG_PAGE, messagePath, navigate, screenshot, Suite } from './lib/suite';

const suite = new Suite();
afterAll(() => suite.close());

interface PageSpec {
  name: string;
  url: () => string;
  ready: string;
}

const ids = suite.info.ids;
const MESSAGE_KINDS: Array<[string, string]> = [
  ['streamed', 'message-streamed'],
  ['error', 'message-error'],
  ['cancelled', 'message-cancelled'],
  ['openai', 'message-openai'],
  ['tools', 'message-tool-calls'],
  ['thinking', 'message-thinking'],
];

const PAGES: PageSpec[] = [
  { name: 'overview', url: () => `${APP}/overview`, ready: 'text=Live metrics (Prometheus)' },
  { name: 'explorer', url: () => `${APP}/explorer`, ready: '[data-testid="message-row"]' },
  ...MESSAGE_KINDS.map(([key, name]) => ({
    name,
    url: () => messagePath(ids[key]),
    ready: 'dl[aria-label="Message header"]',
  })),
  { name: 'configuration', url: () => CONFIG_PAGE, ready: 'input[aria-label="Sidecar URL"]' },
];

describe.each<Theme>(['dark', 'light'])('%s theme', (theme) => {
  it.each(PAGES.map((p) => [p.name, p] as const))('%s: renders cleanly', async (_name, spec) => {
    const p = await suite.page(theme);
    await navigate(p, spec.url(), spec.ready);
    // uPlot draws on the next frames after its data arrives.
    await p.page.waitForTimeout(spec.name === 'overview' ? 600 : 150);
    await screenshot(p, spec.name);
    const check = await checkPage(p);
    expect(check).toEqual({ consoleErrors: [], overflows: [], axe: [], pwned: undefined });
  });
});
