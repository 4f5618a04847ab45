/**
 * The Playground's chat against a real Ollama of this file's own (one slot, so an abandoned generation
 * that kept running would hold up the next request): the answer streams chunk by chunk, the stored
 * message carries the playground origin and the id from the response head, and Stop cancels the
 * generation in Ollama.
 */
import {
  MESSAGE_ID_HEADER,
  MODELS_API,
  type ChatStreamLine,
  type MessageDetailResponse,
  type MessagesPage,
} from '@ollama-lens/contracts';
import { startOllama, type OllamaServer } from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { Agent, request } from 'undici';

jest.setTimeout(180_000);

let ollama: OllamaServer;
let sidecar: TestSidecar;
/** The test's own client, closed before the sidecar (an aborted request leaves a fresh idle connection). */
const client = new Agent();

beforeAll(async () => {
  ollama = await startOllama({ models: ['tiny'], numParallel: 1 });
  sidecar = await startSidecar(ollama.url, ['--admin-token', 'read']);
});

afterAll(async () => {
  await client.close();
  await sidecar?.close();
  await ollama?.stop();
});

function chat(body: unknown, signal?: AbortSignal) {
  return request(`${sidecar.adminUrl}${MODELS_API.playgroundChat}`, {
    method: 'POST',
    headers: { authorization: 'Bearer read', 'content-type': 'application/json', 'x-user-id': 'ada' },
    body: JSON.stringify(body),
    signal,
    dispatcher: client,
  });
}

const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${sidecar.adminUrl}${path}`, { headers: { authorization: 'Bearer read' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The stored message (written with the writer's next batch). */
async function stored(id: string): Promise<MessageDetailResponse['message']> {
  const end = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${sidecar.adminUrl}/analytics/messages/${id}`, {
      headers: { authorization: 'Bearer read' },
    });
    if (res.ok) return ((await res.json()) as MessageDetailResponse).message;
    if (Date.now() > end) throw new Error(`message ${id} not stored: HTTP ${res.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('playground chat', () => {
  it('streams chunk by chunk; the stored message has the id from the head and the playground origin', async () => {
    const res = await chat({
      model: 'tiny',
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'playground hello' }],
      options: { num_predict: 12, temperature: 0.5, seed: 7, num_ctx: 512 },
    });
    expect(res.statusCode).toBe(200);
    expect(header(res.headers, 'content-type')).toBe('application/x-ndjson');
    const id = header(res.headers, MESSAGE_ID_HEADER)!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    let reads = 0;
    let text = '';
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      reads++;
      text += chunk.toString('utf8');
    }
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ChatStreamLine);
    // One NDJSON line per token as Ollama sent them, relayed as they came (several reads, not one).
    expect(lines.length).toBeGreaterThan(3);
    expect(reads).toBeGreaterThan(1);
    expect(lines.slice(0, -1).every((l) => l.done === false && l.message?.role === 'assistant')).toBe(true);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ done: true, done_reason: 'length', eval_count: 12 });

    const message = await stored(id);
    expect(message).toMatchObject({
      id,
      endpoint: '/api/chat',
      status: 'success',
      origin: 'playground',
      user: 'ada',
      model: 'tiny:latest',
      output_tokens: 12,
    });
    expect(message.prompt).toMatchObject({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'playground hello' },
      ],
    });
    expect(message.options).toMatchObject({ temperature: 0.5, seed: 7, num_ctx: 512, num_predict: 12 });
    // The Explorer finds it under the playground origin…
    const page = await getJson<MessagesPage>('/analytics/messages?from=0&origin=playground');
    expect(page.messages.map((m) => m.id)).toEqual([id]);
    // …and in its default view, tagged.
    const all = await getJson<MessagesPage>('/analytics/messages?from=0');
    expect(all.messages.find((m) => m.id === id)?.origin).toBe('playground');
  });

  it("an unknown model: Ollama's 404 as a JSON error, before any stream", async () => {
    const res = await chat({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.statusCode).toBe(404);
    expect(((await res.body.json()) as { error: string }).error).toMatch(/^model .nope. not found/);
  });

  it('bad input is a 400 naming the field', async () => {
    const res = await chat({ model: 'tiny', messages: [{ role: 'robot', content: 'hi' }] });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { error: string }).error).toMatch(/body\/messages\/0\/role/);
  });

  it('Stop (closing the request) cancels the generation in Ollama', async () => {
    // About 30 s of work at this machine's speed if nobody stopped it.
    const speed = (await (
      await fetch(`${ollama.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'tiny',
          prompt: 'speed',
          stream: false,
          options: { num_predict: 200 },
        }),
      })
    ).json()) as { eval_count: number; eval_duration: number };
    const numPredict = Math.ceil((speed.eval_count / (speed.eval_duration / 1e9)) * 30);
    const ac = new AbortController();
    const res = await chat(
      {
        model: 'tiny',
        messages: [{ role: 'user', content: 'a long one' }],
        options: { num_predict: numPredict },
      },
      ac.signal
    );
    const id = header(res.headers, MESSAGE_ID_HEADER)!;
    for await (const _chunk of res.body) break; // the first chunk, then Stop
    ac.abort();
    const record = await sidecar.waitForRecord((r) => r.id === id);
    expect(record.status).toBe('cancelled');
    expect(record.origin).toBe('playground');
    // With one slot, this runs only once the abandoned generation has stopped.
    const t0 = performance.now();
    const next = await fetch(`${ollama.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny', prompt: 'next', stream: false, options: { num_predict: 4 } }),
    });
    await next.text();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect((await stored(id)).status).toBe('cancelled');
  });
});
