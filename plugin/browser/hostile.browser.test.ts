/**
 * Hostile content stored through the real sidecar, as prompts (answered by the real Ollama) and as an
 * answer (from the scripted upstream), rendered by Chromium: nothing runs, nothing links out, nothing
 * loads from elsewhere, bidi controls are gone, and the sidecar's token never reaches the browser.
 */
import { settle, type SuitePage } from './lib/browser';
import { openExplorer, rows } from './lib/explorer';
import { checkPage, messagePath, navigate, screenshot, Suite } from './lib/suite';
import { BIDI_CONTROLS, RLO } from '@ollama-lens/testkit/hostile';

const suite = new Suite();
afterAll(() => suite.close());
const ids = suite.info.ids;
const HOSTILE = ['hostilePrompt0', 'hostilePrompt1', 'hostilePrompt2', 'hostileAnswer'];

interface Inert {
  liveLinks: string[];
  handlers: string[];
  activeElements: string[];
  bidi: boolean;
}

/** What untrusted text could have made live in the page's main area. */
async function inspect(p: SuitePage): Promise<Inert> {
  return p.page.evaluate((bidiSource) => {
    const main = document.querySelector('main')!;
    const origin = location.origin;
    const liveLinks = Array.from(main.querySelectorAll('a[href], area[href], [*|href]'))
      .map((a) => a.getAttribute('href') ?? '')
      .filter((href) => {
        try {
          return new URL(href, location.href).origin !== origin;
        } catch {
          return true;
        }
      });
    const handlers = Array.from(main.querySelectorAll('*')).flatMap((el) =>
      Array.from(el.attributes)
        .filter((a) => /^on/i.test(a.name) || /^\s*(javascript|data|vbscript):/i.test(a.value))
        .map((a) => `${el.tagName} ${a.name}=${a.value.slice(0, 40)}`)
    );
    const content = Array.from(main.querySelectorAll('[data-testid="safe-markdown"], pre, td, dd'));
    const activeElements = content.flatMap((c) =>
      Array.from(
        c.querySelectorAll(
          'script, iframe, object, embed, img, svg:not([aria-hidden]), math, form, style, link, details'
        )
      ).map((el) => el.tagName)
    );
    return { liveLinks, handlers, activeElements, bidi: new RegExp(bidiSource).test(main.innerText) };
  }, BIDI_CONTROLS.source);
}

const CLEAN: Inert = { liveLinks: [], handlers: [], activeElements: [], bidi: false };

describe('hostile content', () => {
  it('the stored text is kept verbatim by the sidecar (the payloads really are there)', async () => {
    const res = await fetch(`${suite.info.sidecarUrl}/analytics/messages/${ids.hostileAnswer}`, {
      headers: { authorization: `Bearer ${suite.info.token}` },
    });
    const body = (await res.json()) as { message: { response: { content: string } } };
    expect(body.message.response.content).toContain('<img src=x onerror=');
    expect(body.message.response.content).toContain(RLO);
  });

  it.each(['dark', 'light'] as const)('the Explorer table shows hostile prompts as inert text (%s)', async (theme) => {
    const p = await suite.page(theme);
    await openExplorer(p, '?user=mallory');
    const shown = await rows(p.page);
    expect(shown.map((r) => r.id).sort()).toEqual(HOSTILE.map((k) => ids[k]).sort());
    expect(shown.map((r) => r.text).join('\n')).toContain('<img src=x onerror=');
    expect(await inspect(p)).toEqual(CLEAN);
    await screenshot(p, 'explorer-hostile');
    expect(await checkPage(p)).toEqual({ consoleErrors: [], overflows: [], axe: [], pwned: undefined });
  });

  it('a search that matches the payloads highlights them as text', async () => {
    const p = await suite.page();
    await openExplorer(p, '?q=onerror');
    await p.page.getByRole('region', { name: 'Best matches' }).waitFor();
    await settle(p);
    expect(await inspect(p)).toEqual(CLEAN);
    expect((await checkPage(p)).pwned).toBeUndefined();
  });

  it.each(HOSTILE)('the detail page of %s renders nothing live', async (key) => {
    const p = await suite.page();
    await navigate(p, messagePath(ids[key]), 'dl[aria-label="Message header"]');
    // Open everything that is folded: thinking, stream replay, raw JSON.
    for (const summary of await p.page.locator('main details > summary').all()) {
      await summary.click();
    }
    for (const button of await p.page.getByRole('button', { name: /^(Stream replay|Raw JSON)/ }).all()) {
      await button.click();
    }
    await settle(p);
    expect(await inspect(p)).toEqual(CLEAN);
    const check = await checkPage(p);
    expect(check).toEqual({ consoleErrors: [], overflows: [], axe: [], pwned: undefined });
    expect(p.foreignRequests).toEqual([]);
  });

  it('the answer keeps its words: links show their target as text, the bidi override is gone', async () => {
    const p = await suite.page();
    await navigate(p, messagePath(ids.hostileAnswer), 'dl[aria-label="Message header"]');
    const answer = await p.page.getByLabel('Response', { exact: true }).innerText();
    expect(answer).toContain('unclosed anchor swallowing the rest');
    expect(answer).toContain('Open your account (https://evil.example/login)');
    expect(answer).toContain('invoicefdp.exe');
    expect(answer).not.toMatch(BIDI_CONTROLS);
    await screenshot(p, 'message-hostile');
  });

  it('the token of the sidecar never reached the browser', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const p = await suite.page(theme);
      expect(p.apiBodies.length).toBeGreaterThan(5);
      expect(p.apiBodies.join('\n')).not.toContain(suite.info.token);
      expect(await p.page.content()).not.toContain(suite.info.token);
    }
  });
});
