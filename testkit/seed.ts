/**
 * Seeders: messages sent through a real sidecar's proxy, as a client sends them, and read back from its
 * store. Two plans: the plugin's jsdom page tests' (pagesPlan) and the Chromium suite's (browserPlan).
 * Requests go to the real Ollama (chat, generate, streamed, cancelled, failing, OpenAI-style, hostile
 * prompts) or, for the kinds a tiny random model cannot produce (tool calls, thinking, hostile answers),
 * to a scripted model of the ScriptedUpstream (scripted-upstream.ts).
 */
import { randomUUID } from 'node:crypto';
import type { MeasurementRecord } from '@ollama-lens/sidecar/src/tap/record';
import { HOSTILE_ANSWER, HOSTILE_MARKDOWN, HOSTILE_PROMPT, HOSTILE_PROMPTS, PWNED_TRAP } from './hostile';
import type { ScriptedAnswer } from './scripted-upstream';
import type { PagesSeed, SeedResult } from './seeded';
import type { TestSidecar } from './sidecar';

/** One request of a plan. */
export interface SeedRequest {
  /** The name tests find the message's id under. */
  key: string;
  path: string;
  user?: string;
  session?: string;
  body: Record<string, unknown>;
  /** Abort after the first streamed bytes (a client that gives up). */
  abort?: boolean;
}

/** Where to seed: the sidecar's proxy, and its admin listener with the admin token. */
export interface SeedTarget {
  proxyUrl: string;
  adminUrl: string;
  token: string;
}

/** The scripted upstream's answers the browser plan asks for. */
export const SCRIPTED_ANSWERS: Record<string, ScriptedAnswer> = {
  'scripted-tools': {
    content: '',
    tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Lima', unit: 'celsius' } } }],
  },
  'scripted-thinking': {
    thinking: 'The user wants a haiku about tides. Five, seven, five syllables.',
    content: 'Moon pulls the water\nslowly the shore breathes in, out\nsalt on quiet stones',
  },
  'scripted-hostile': {
    content: HOSTILE_ANSWER,
    thinking: `<img src=x onerror="window.${PWNED_TRAP}='thinking'">`,
  },
};

const chat = (
  key: string,
  model: string,
  content: string,
  options: object,
  extra: Partial<SeedRequest> = {}
): SeedRequest => ({
  key,
  path: '/api/chat',
  body: { model, stream: false, options, messages: [{ role: 'user', content }] },
  ...extra,
});

const openai = (model: string): SeedRequest => ({
  key: 'openai',
  path: '/v1/chat/completions',
  user: 'carol',
  body: {
    model,
    stream: false,
    max_tokens: 8,
    messages: [{ role: 'user', content: 'Analyze the pros and cons of remote work.' }],
  },
});

const missingModel = (key: string): SeedRequest => ({
  key,
  path: '/api/generate',
  user: 'carol',
  body: { model: 'no-such-model', stream: false, prompt: 'This model does not exist.' },
});

/** The plugin's jsdom page tests: a small store with a few users, sessions and both models. */
export function pagesPlan(models: readonly string[]): SeedRequest[] {
  const [m1, m2] = [models[0], models[1] ?? models[0]];
  const options = { num_predict: 8, temperature: 0.7, top_p: 0.9, seed: 7 };
  return [
    chat('summarize', m1, 'Summarize this article about ocean tides in two sentences.', options, {
      user: 'alice',
      session: 'session-alpha',
    }),
    chat('translate', m1, "Translate 'good morning' into French.", options, {
      user: 'alice',
      session: 'session-alpha',
    }),
    {
      key: 'code',
      path: '/api/generate',
      user: 'bob',
      session: 'session-beta',
      body: { model: m2, stream: false, options, prompt: 'Write a Python function that reverses a string.' },
    },
    {
      key: 'streamed',
      path: '/api/generate',
      user: 'bob',
      body: { model: m2, stream: true, options, prompt: 'Hello there, how are you today?' },
    },
    chat('hostilePrompt', m1, HOSTILE_PROMPT, options, { user: 'mallory' }),
    openai(m2),
    ...[
      'What is the capital of Peru?',
      'Tell me a short joke.',
      'How do I boil an egg?',
      'Name three colours.',
    ].map((prompt, i): SeedRequest => ({
      key: `chat${i + 1}`,
      path: '/api/generate',
      user: 'dave',
      session: 'session-gamma',
      body: { model: i % 2 === 0 ? m1 : m2, stream: false, options: { num_predict: 4 }, prompt },
    })),
    missingModel('missingModel'),
  ];
}

/** The Chromium suite: enough messages to page through, and one of every kind a page shows. */
export function browserPlan(models: readonly string[]): SeedRequest[] {
  const [m1, m2] = [models[0], models[1] ?? models[0]];
  const options = { num_predict: 8, temperature: 0.7, seed: 7 };
  const fillers: SeedRequest[] = Array.from({ length: 28 }, (_, i) => ({
    key: `filler${i}`,
    path: '/api/generate',
    user: ['dave', 'erin', 'frank'][i % 3],
    session: `session-${i % 4}`,
    body: {
      model: i % 2 ? m2 : m1,
      stream: false,
      options: { num_predict: 2 + (i % 5) },
      prompt: `Question ${i}: name a fruit.`,
    },
  }));
  return [
    ...fillers,
    chat('chat', m1, 'Summarize this article about ocean tides in two sentences.', options, {
      user: 'alice',
      session: 'session-alpha',
    }),
    {
      key: 'generate',
      path: '/api/generate',
      user: 'bob',
      body: { model: m2, stream: false, options, prompt: 'Write a Python function that reverses a string.' },
    },
    {
      key: 'streamed',
      path: '/api/generate',
      user: 'bob',
      session: 'session-alpha',
      body: {
        model: m1,
        stream: true,
        options: { ...options, num_predict: 16 },
        prompt: 'Hello there, how are you?',
      },
    },
    missingModel('error'),
    {
      key: 'cancelled',
      path: '/api/generate',
      user: 'carol',
      abort: true,
      body: { model: m2, stream: true, options: { num_predict: 4000 }, prompt: 'Tell me a very long story.' },
    },
    openai(m2),
    chat('tools', 'scripted-tools', 'What is the weather in Lima?', options, { user: 'alice' }),
    {
      key: 'thinking',
      path: '/api/chat',
      user: 'alice',
      body: {
        model: 'scripted-thinking',
        stream: true,
        think: true,
        messages: [{ role: 'user', content: 'Write a haiku about tides.' }],
      },
    },
    ...HOSTILE_PROMPTS.map((p, i) => chat(`hostilePrompt${i}`, m1, p, options, { user: 'mallory' })),
    chat('hostileAnswer', 'scripted-hostile', 'Answer with some formatting, please.', options, {
      user: 'mallory',
    }),
  ];
}

/**
 * Sends one request through the proxy as a client would (user and session headers, the whole answer
 * read, or the stream dropped after its first bytes) and returns the sidecar's id for the exchange.
 */
export async function sendSeed(proxyUrl: string, s: SeedRequest): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (s.user) headers['x-user-id'] = s.user;
  if (s.session) headers['x-session-id'] = s.session;
  const controller = new AbortController();
  const res = await fetch(`${proxyUrl}${s.path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(s.body),
    signal: controller.signal,
  });
  const id = res.headers.get('x-ollama-lens-id');
  if (s.abort) {
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
  } else {
    await res.text(); // the whole (possibly streamed) answer, so the exchange completes
  }
  if (!id)
    throw new Error(`seeding: the answer to "${s.key}" (HTTP ${res.status}) carries no x-ollama-lens-id`);
  return id;
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`seeding: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function adminGet(target: SeedTarget, path: string): Promise<Response> {
  return fetch(`${target.adminUrl}${path}`, { headers: { authorization: `Bearer ${target.token}` } });
}

/** Resolves once the store holds the message with this id. */
export async function waitForMessage(target: SeedTarget, id: string, what = `message ${id}`): Promise<void> {
  await poll(`${what} to reach the store`, async () => {
    const res = await adminGet(target, `/analytics/messages/${encodeURIComponent(id)}`);
    await res.arrayBuffer();
    if (res.status !== 200 && res.status !== 404)
      throw new Error(`seeding: GET ${what} answered ${res.status}`);
    return res.status === 200 ? true : undefined;
  });
}

/** The number of messages in the store (the analytics API's data summary). */
export async function storedMessages(target: SeedTarget): Promise<number> {
  const res = await adminGet(target, '/analytics/data/summary');
  if (!res.ok)
    throw new Error(`seeding: /analytics/data/summary answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { messages: number }).messages;
}

/**
 * Sends the plan one request at a time, each once the previous one is stored (so the store's order is
 * the plan's), and returns the stored ids by key and the store's message count.
 */
export async function seedMessages(target: SeedTarget, plan: readonly SeedRequest[]): Promise<SeedResult> {
  const ids: Record<string, string> = {};
  for (const s of plan) {
    ids[s.key] = await sendSeed(target.proxyUrl, s);
    await waitForMessage(target, ids[s.key], `the message of "${s.key}"`);
  }
  return { ids, total: await storedMessages(target) };
}

/**
 * A hostile answer for the jsdom pages: a real chat record (`template`) with every text field replaced
 * by hostile text. A random-weight model cannot be made to answer with HTML, so the record goes into
 * the store through the sidecar's own record tap, the path every proxied request takes.
 */
export function hostileAnswerRecord(template: MeasurementRecord): MeasurementRecord {
  const started = Date.now() - 1000;
  return {
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
      thinking: `<script>window.${PWNED_TRAP} = "thinking"</script>`,
      tool_calls: [
        {
          name: 'lookup<img src=x onerror=alert(1)>',
          arguments: `{"q":"<script>window.${PWNED_TRAP}=1</script>"}`,
        },
      ],
    },
    error_message: undefined,
    chunks: [
      { t_ms: 5, bytes: 40, text: `<img src=x onerror="window.${PWNED_TRAP}='chunk'">` },
      { t_ms: 9, bytes: 30, text: ' and <b>bold</b>' },
    ],
  };
}

/**
 * The jsdom page tests' store: pagesPlan through the proxy, then the hostile answer (hostileAnswerRecord
 * of the "summarize" message) through the tap. `sidecar` is the kit's in-process sidecar.
 */
export async function seedPages(
  sidecar: TestSidecar,
  token: string,
  models: readonly string[]
): Promise<PagesSeed> {
  const target: SeedTarget = { proxyUrl: sidecar.url, adminUrl: sidecar.adminUrl, token };
  const { ids } = await seedMessages(target, pagesPlan(models));
  const template = await sidecar.waitForRecord((r) => r.id === ids.summarize);
  const hostile = hostileAnswerRecord(template);
  sidecar.app.services.tap.emit(hostile);
  ids.hostileAnswer = hostile.id;
  await waitForMessage(target, hostile.id, 'the hostile answer');
  const seeded = sidecar.records.filter((r) => Object.values(ids).includes(r.id));
  const distinct = (xs: (string | undefined)[]) =>
    [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();
  return {
    ids,
    total: await storedMessages(target),
    models: distinct(seeded.map((r) => r.model)),
    users: distinct(seeded.map((r) => r.user)),
  };
}
