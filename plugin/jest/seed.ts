/**
 * Messages for the page tests, sent through the real sidecar's proxy to the real Ollama (tiny models),
 * plus hostile records for the XSS suite. A random-weight model cannot be made to answer with HTML, so
 * the hostile answers are records captured from a real exchange whose text fields are replaced, then
 * handed to the sidecar's own record tap — the path every proxied request takes into the store.
 */
import { randomUUID } from 'node:crypto';
import type { Sidecar } from '../../sidecar/src/app';
import type { MeasurementRecord, RecordSink } from '../../sidecar/src/tap/record';
import { HOSTILE_MARKDOWN, HOSTILE_PROMPT } from '../src/testing/hostile';
import type { SeededMessages } from '../src/testing/sidecarEnv';

/** Collects the records the tap emits, so the seed can wait for them and copy one. */
export class CapturingSink implements RecordSink {
  readonly name = 'plugin-test-capture';
  readonly records: MeasurementRecord[] = [];
  record(r: MeasurementRecord): void {
    this.records.push(r);
  }
}

interface SeedRequest {
  key: string;
  path: string;
  user?: string;
  session?: string;
  body: Record<string, unknown>;
}

const OPTIONS = { num_predict: 8, temperature: 0.7, top_p: 0.9, seed: 7 };

function requests(models: string[]): SeedRequest[] {
  const [m1, m2] = [models[0], models[1] ?? models[0]];
  return [
    {
      key: 'summarize',
      path: '/api/chat',
      user: 'alice',
      session: 'session-alpha',
      body: {
        model: m1,
        stream: false,
        options: OPTIONS,
        messages: [{ role: 'user', content: 'Summarize this article about ocean tides in two sentences.' }],
      },
    },
    {
      key: 'translate',
      path: '/api/chat',
      user: 'alice',
      session: 'session-alpha',
      body: {
        model: m1,
        stream: false,
        options: OPTIONS,
        messages: [{ role: 'user', content: "Translate 'good morning' into French." }],
      },
    },
    {
      key: 'code',
      path: '/api/generate',
      user: 'bob',
      session: 'session-beta',
      body: { model: m2, stream: false, options: OPTIONS, prompt: 'Write a Python function that reverses a string.' },
    },
    {
      key: 'streamed',
      path: '/api/generate',
      user: 'bob',
      body: { model: m2, stream: true, options: OPTIONS, prompt: 'Hello there, how are you today?' },
    },
    {
      key: 'hostilePrompt',
      path: '/api/chat',
      user: 'mallory',
      body: { model: m1, stream: false, options: OPTIONS, messages: [{ role: 'user', content: HOSTILE_PROMPT }] },
    },
    {
      key: 'openai',
      path: '/v1/chat/completions',
      user: 'carol',
      body: {
        model: m2,
        stream: false,
        max_tokens: 8,
        messages: [{ role: 'user', content: 'Analyze the pros and cons of remote work.' }],
      },
    },
    ...['What is the capital of Peru?', 'Tell me a short joke.', 'How do I boil an egg?', 'Name three colours.'].map(
      (prompt, i) => ({
        key: `chat${i + 1}`,
        path: '/api/generate',
        user: 'dave',
        session: 'session-gamma',
        body: { model: i % 2 === 0 ? m1 : m2, stream: false, options: { num_predict: 4 }, prompt },
      })
    ),
    {
      key: 'missingModel',
      path: '/api/generate',
      user: 'carol',
      body: { model: 'no-such-model', stream: false, prompt: 'This model does not exist.' },
    },
  ];
}

async function send(proxyUrl: string, r: SeedRequest): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (r.user) {
    headers['x-user-id'] = r.user;
  }
  if (r.session) {
    headers['x-session-id'] = r.session;
  }
  const res = await fetch(`${proxyUrl}${r.path}`, { method: 'POST', headers, body: JSON.stringify(r.body) });
  await res.text(); // read the whole (possibly streamed) answer so the exchange completes
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`seeding the sidecar: timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function seedSidecar(
  sidecar: Sidecar,
  capture: CapturingSink,
  proxyUrl: string,
  adminUrl: string,
  token: string,
  models: string[]
): Promise<SeededMessages> {
  const ids: Record<string, string> = {};
  for (const r of requests(models)) {
    const before = capture.records.length;
    await send(proxyUrl, r);
    const record = await waitFor(`the record of "${r.key}"`, async () => capture.records[before]);
    ids[r.key] = record.id;
  }

  // Hostile answers: a real chat record with every text field replaced.
  const template = capture.records.find((rec) => rec.id === ids.summarize);
  if (!template) {
    throw new Error('seeding the sidecar: no record of the summarize request to copy');
  }
  const started = Date.now() - 1000;
  const hostile: MeasurementRecord = {
    ...template,
    id: randomUUID(),
    user: 'mallory',
    session: 'session-hostile',
    started_at: started,
    ended_at: started + template.duration_ms,
    prompt: {
      messages: [
        { role: 'system', content: HOSTILE_MARKDOWN },
        { role: 'user', content: HOSTILE_PROMPT },
      ],
    },
    response: {
      content: HOSTILE_MARKDOWN,
      thinking: '<script>window.__ollamaLensXss = "thinking"</script>',
      tool_calls: [
        { name: 'lookup<img src=x onerror=alert(1)>', arguments: '{"q":"<script>window.__ollamaLensXss=1</script>"}' },
      ],
    },
    error_message: undefined,
    chunks: [
      { t_ms: 5, bytes: 40, text: '<img src=x onerror="window.__ollamaLensXss=\'chunk\'">' },
      { t_ms: 9, bytes: 30, text: ' and <b>bold</b>' },
    ],
  };
  sidecar.services.tap.emit(hostile);
  ids.hostileAnswer = hostile.id;

  const expected = Object.keys(ids).length;
  const total = await waitFor('the store to hold every seeded message', async () => {
    const res = await fetch(`${adminUrl}/analytics/data/summary`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) {
      throw new Error(`seeding the sidecar: /analytics/data/summary answered ${res.status}: ${await res.text()}`);
    }
    const body = (await res.json()) as { messages: number };
    return body.messages >= expected ? body.messages : undefined;
  });

  return {
    ids,
    total,
    models: [...new Set(capture.records.map((r) => r.model).filter((m): m is string => Boolean(m)))].sort(),
    users: [...new Set(capture.records.map((r) => r.user).filter((u): u is string => Boolean(u)))].sort(),
  };
}
