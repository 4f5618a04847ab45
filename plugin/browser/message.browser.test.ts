/**
 * The message detail for each kind of message, stored through the real sidecar: streamed, failed,
 * cancelled, OpenAI-style, with tool calls and with thinking; plus copy and download.
 */
import { readFileSync } from 'node:fs';
import { messagePath, navigate, Suite } from './lib/suite';

const suite = new Suite();
afterAll(() => suite.close());
const ids = suite.info.ids;

const HEADER = 'dl[aria-label="Message header"]';

async function open(id: string) {
  const p = await suite.page();
  await navigate(p, messagePath(id), HEADER);
  return p;
}

async function field(id: string, label: string): Promise<string> {
  const p = await suite.page();
  return p.page
    .locator(`${HEADER} > div`)
    .filter({ has: p.page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
    .locator('dd')
    .innerText();
}

describe('message detail', () => {
  it('streamed: the stream replay and a time to first token', async () => {
    const p = await open(ids.streamed);
    expect(await field(ids.streamed, 'Streamed')).toBe('yes');
    const replay = p.page.getByRole('button', { name: /^Stream replay \(\d+ chunks\)$/ });
    await replay.click();
    await expect(p.page.getByLabel('Replayed text').count()).resolves.toBe(1);
    const ttft = p.page.locator('dl[aria-label="Metrics"] > div', { hasText: 'Time to first token' }).locator('dd');
    await expect(ttft.innerText()).resolves.toMatch(/\d/);
  });

  it('error: the failure and its HTTP status', async () => {
    const p = await open(ids.error);
    await expect(p.page.getByRole('alert').filter({ hasText: 'Request error' }).count()).resolves.toBe(1);
    expect(await field(ids.error, 'Status')).toContain('404');
    // The canonical name, as the metric labels have it, with the name the client sent beside it.
    expect(await field(ids.error, 'Model')).toBe('no-such-model:latest (requested as no-such-model)');
  });

  it('cancelled: the client gave up mid-stream', async () => {
    const p = await open(ids.cancelled);
    await expect(p.page.getByText(/^Request cancelled/).count()).resolves.toBe(1);
    expect(await field(ids.cancelled, 'Streamed')).toBe('yes');
  });

  it('/v1: the OpenAI-style endpoint and its chat prompt', async () => {
    const p = await open(ids.openai);
    expect(await field(ids.openai, 'Endpoint')).toBe('POST /v1/chat/completions');
    await expect(p.page.getByRole('region', { name: /^Prompt/ }).innerText()).resolves.toContain(
      'Analyze the pros and cons of remote work.'
    );
  });

  it('tool calls: name and pretty-printed arguments', async () => {
    const p = await open(ids.tools);
    const calls = p.page.getByLabel('Tool calls');
    await expect(calls.innerText()).resolves.toMatch(/tool call: get_weather/i);
    await expect(calls.locator('pre').innerText()).resolves.toBe(
      JSON.stringify({ city: 'Lima', unit: 'celsius' }, null, 2)
    );
  });

  it('thinking: folded away, opened on request', async () => {
    const p = await open(ids.thinking);
    const thinking = p.page.locator('details', { hasText: 'Thinking' });
    await expect(thinking.getAttribute('open')).resolves.toBeNull();
    await thinking.locator('summary').click();
    await expect(thinking.locator('pre').innerText()).resolves.toContain('Five, seven, five syllables.');
    await expect(p.page.getByLabel('Response', { exact: true }).innerText()).resolves.toContain('Moon pulls the water');
  });

  it('copies the prompt and the response, and downloads the message as JSON', async () => {
    const p = await open(ids.chat);
    await p.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await p.page.getByRole('button', { name: 'Copy prompt' }).click();
    await expect(p.page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(
      'user: Summarize this article about ocean tides in two sentences.'
    );
    await p.page.getByRole('button', { name: 'Copy response' }).click();
    const copied = await p.page.evaluate(() => navigator.clipboard.readText());
    await expect(p.page.getByLabel('Response', { exact: true }).innerText()).resolves.toContain(
      copied.trim().slice(0, 10)
    );

    const [download] = await Promise.all([
      p.page.waitForEvent('download'),
      p.page.getByRole('button', { name: 'Download JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`message-${ids.chat}.json`);
    const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { id: string; prompt: unknown };
    expect(saved.id).toBe(ids.chat);
    expect(JSON.stringify(saved.prompt)).toContain('ocean tides');
  });

  it('back to the Explorer', async () => {
    const p = await open(ids.chat);
    await p.page.getByRole('link', { name: 'Back to the Explorer' }).click();
    await p.page.waitForSelector('[data-testid="message-row"]');
  });
});
