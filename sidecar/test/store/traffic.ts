/**
 * Real traffic through a sidecar to the real Ollama, for the store's black-box tests: the usual
 * request shapes (native and /v1, streamed and not, embed, a failing model, a listing) from a few
 * users and sessions, each kept short (num_predict ≤ 30).
 */
import { request } from 'undici';
import type { TestSidecar } from '@ollama-lens/testkit/sidecar';

export interface Sent {
  /** The sidecar's id for the exchange (x-ollama-lens-id), which is also the stored message id. */
  id: string;
  status: number;
  body: string;
  completedAt: number;
}

export async function send(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {}
): Promise<Sent> {
  const res = await request(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  });
  const text = await res.body.text();
  return {
    id: String(res.headers['x-ollama-lens-id']),
    status: res.statusCode,
    body: text,
    completedAt: Date.now(),
  };
}

const opts = { num_predict: 12, seed: 7 };

/** One round of varied traffic; `n` varies the wording so rounds differ. */
export function round(model: string, model2: string, n: number): [string, unknown, Record<string, string>][] {
  return [
    [
      '/api/chat',
      {
        model,
        stream: true,
        options: opts,
        messages: [{ role: 'user', content: `Translate "good morning ${n}" into French.` }],
      },
      { 'x-user-id': 'alice', 'x-session-id': `s-alice-${n % 2}` },
    ],
    [
      '/api/chat',
      {
        model: model2,
        stream: false,
        options: opts,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: `Write a Python function that adds ${n} to a number.` },
        ],
      },
      { 'x-user-id': 'bob' },
    ],
    [
      '/api/generate',
      {
        model,
        stream: true,
        options: opts,
        prompt: `Summarize the following text in two sentences: the quick brown fox ${n} jumps over the lazy dog.`,
      },
      { 'x-user-id': 'alice', 'x-session-id': `s-alice-${n % 2}` },
    ],
    ['/api/generate', { model: model2, stream: false, options: opts, prompt: `hello there number ${n}` }, {}],
    [
      '/v1/chat/completions',
      {
        model,
        stream: true,
        max_tokens: 10,
        messages: [{ role: 'user', content: `Compare apples and oranges ${n}: what are the pros and cons?` }],
      },
      { 'x-user-id': 'carol' },
    ],
    [
      '/v1/chat/completions',
      {
        model: model2,
        max_tokens: 10,
        messages: [{ role: 'user', content: `How are you today, friend ${n}?` }],
      },
      { 'x-user-id': 'bob', 'x-session-id': 's-bob' },
    ],
    ['/api/embed', { model, input: [`first text ${n}`, 'second text'] }, { 'x-user-id': 'carol' }],
    [
      '/api/chat',
      { model: 'does-not-exist', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-user-id': 'bob' },
    ],
  ];
}

/** Waits until the tap has emitted `count` records, then until the writer thread has written them. */
export async function settle(sidecar: TestSidecar, count: number, timeoutMs = 15000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (sidecar.records.length < count) {
    if (Date.now() > until) throw new Error(`only ${sidecar.records.length} of ${count} records emitted`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await sidecar.app.services.store?.flush();
}
