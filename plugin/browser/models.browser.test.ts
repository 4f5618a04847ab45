/**
 * The Models page and the Playground in Chromium, from the built plugin against the stack's real sidecar
 * (with an actions token, so the host's Admin sees the actions) and the real Ollama: each page shows the
 * real models, renders cleanly in both themes (no console error, nothing out of its panel, no serious or
 * critical axe finding), and the Playground's answer streams through the browser's own fetch.
 */
import type { Theme } from './lib/browser';
import { APP, checkPage, navigate, screenshot, Suite, type ThemedPage } from './lib/suite';

const suite = new Suite();
afterAll(() => suite.close());

/**
 * Waits until no CSS transition or animation runs: axe measures colours as drawn, and a drawer sliding in
 * or a button leaving its hover colour is measured half-way otherwise.
 */
async function animationsDone(p: ThemedPage): Promise<void> {
  await p.page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
}

interface Installed {
  name: string;
  capabilities: string[];
}

/** What Ollama really has, read from it through the sidecar's read route (as the page does). */
async function installed(): Promise<Installed[]> {
  const res = await fetch(`${suite.info.sidecarUrl}/analytics/models/installed`, {
    headers: { authorization: `Bearer ${suite.info.token}` },
  });
  return ((await res.json()) as { installed: Installed[] }).installed;
}

/** The models that can chat (the stack also has an embedding-only one). */
async function chatModels(): Promise<string[]> {
  return (await installed()).filter((m) => m.capabilities.includes('completion')).map((m) => m.name);
}

describe.each<Theme>(['dark', 'light'])('%s theme', (theme) => {
  it('models: lists the real models with the Admin’s actions and renders cleanly', async () => {
    const names = (await installed()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    const [chat] = await chatModels();
    const p = await suite.page(theme);
    await navigate(p, `${APP}/models`, '[data-testid="ollamalens-models-installed"]');
    for (const name of names) {
      await p.page.getByTestId(`ollamalens-models-installed-${name}`).waitFor();
    }
    await p.page
      .getByRole('button', { name: `Load ${names[0]}` })
      .or(p.page.getByRole('button', { name: `Unload ${names[0]}` }))
      .first()
      .waitFor();
    await p.page.getByLabel('Model to pull').waitFor();
    // The embedding model is marked as one (it cannot chat).
    for (const m of await installed()) {
      const badge = p.page.getByTestId(`ollamalens-models-installed-${m.name}`).getByText('embedding', { exact: true });
      expect(await badge.count()).toBe(m.capabilities.includes('completion') ? 0 : 1);
    }
    await screenshot(p, 'models');
    expect(await checkPage(p)).toEqual({ consoleErrors: [], overflows: [], axe: [], pwned: undefined });

    // The detail drawer, with Ollama's template.
    await p.page.getByRole('button', { name: chat, exact: true }).click();
    const drawer = p.page.getByTestId('ollamalens-models-drawer');
    await drawer.getByLabel('Template').waitFor();
    await animationsDone(p);
    expect(await checkPage(p)).toEqual({ consoleErrors: [], overflows: [], axe: [], pwned: undefined });
    await p.page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('playground: streams an answer from the real model and links to its message', async () => {
    const all = await installed();
    const [model] = await chatModels();
    const p = await suite.page(theme);
    await navigate(p, `${APP}/playground`, 'textarea#ollamalens-playground-prompt');
    await p.page.waitForFunction(
      (name) => (document.querySelector('#ollamalens-playground-model') as HTMLInputElement | null)?.value === name,
      model,
      // The picker fills once the installed models arrive through the sidecar (slow on a loaded machine).
      { timeout: 60_000 }
    );
    // The picker offers the models that can chat, not the embedding one Ollama lists too.
    await p.page.locator('#ollamalens-playground-model').click();
    const offered = await p.page.getByRole('option').allInnerTexts();
    expect(all.some((m) => m.capabilities.includes('embedding'))).toBe(true);
    for (const m of all) {
      expect(offered.some((t) => t.includes(m.name))).toBe(m.capabilities.includes('completion'));
    }
    await p.page.keyboard.press('Escape');
    await p.page.locator('#ollamalens-playground-num_predict').fill('24');
    await p.page.locator('#ollamalens-playground-prompt').fill('Say hello.');
    await p.page.getByRole('button', { name: 'Send' }).click();
    const answer = p.page.getByTestId('ollamalens-playground-answer-0');
    const link = answer.getByRole('link', { name: 'Open this exchange in the Explorer' });
    await link.waitFor({ timeout: 30_000 });
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^/?a/ollamalens-explorer-app/explorer/message/.+`));
    expect((await answer.getByTestId('ollamalens-playground-answer-text-0').innerText()).length).toBeGreaterThan(0);
    await expect(answer.getByTestId('ollamalens-playground-ttft-0').innerText()).resolves.toMatch(/^TTFT \d/);
    // The pointer still rests on Send, and Grafana's hover colour of a primary button is below 4.5:1.
    await p.page.mouse.move(0, 0);
    await animationsDone(p);
    await screenshot(p, 'playground');
    expect(await checkPage(p)).toEqual({ consoleErrors: [], overflows: [], axe: [], pwned: undefined });
  });
});
