/**
 * The messages the browser suite looks at, each sent through the real sidecar's proxy: to the real
 * Ollama (chat, generate, streamed, cancelled, failing, OpenAI-style, hostile prompts) or, for the kinds a
 * tiny random model cannot produce (tool calls, thinking, hostile answers), to the scripted upstream.
 */
import { HOSTILE_ANSWER, HOSTILE_PROMPTS } from './hostile';
import type { ScriptedAnswer } from './scriptedUpstream';

export const SCRIPTED_ANSWERS: Record<string, ScriptedAnswer> = {
  'scripted-tools': {
    content: '',
    tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Lima', unit: 'celsius' } } }],
  },
  'scripted-thinking': {
    thinking: 'The user wants a haiku about tides. Five, seven, five syllables.',
    content: 'Moon pulls the water\nslowly the shore breathes in, out\nsalt on quiet stones',
  },
  'scripted-hostile': { content: HOSTILE_ANSWER, thinking: `<img src=x onerror="window.__pwned='thinking'">` },
};

export type MessageKind =
  'chat' | 'generate' | 'streamed' | 'error' | 'cancelled' | 'openai' | 'tools' | 'thinking' | 'hostileAnswer';

interface Send {
  key: string;
  path: string;
  user?: string;
  session?: string;
  body: Record<string, unknown>;
  /** Abort after the first streamed bytes (a client that gives up). */
  abort?: boolean;
}

const OPTIONS = { num_predict: 8, temperature: 0.7, seed: 7 };

function plan(models: string[]): Send[] {
  const [m1, m2] = [models[0], models[1] ?? models[0]];
  const chat = (key: string, model: string, content: string, extra: Partial<Send> = {}): Send => ({
    key,
    path: '/api/chat',
    body: { model, stream: false, options: OPTIONS, messages: [{ role: 'user', content }] },
    ...extra,
  });
  const fillers: Send[] = Array.from({ length: 28 }, (_, i) => ({
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
    chat('chat', m1, 'Summarize this article about ocean tides in two sentences.', {
      user: 'alice',
      session: 'session-alpha',
    }),
    {
      key: 'generate',
      path: '/api/generate',
      user: 'bob',
      body: { model: m2, stream: false, options: OPTIONS, prompt: 'Write a Python function that reverses a string.' },
    },
    {
      key: 'streamed',
      path: '/api/generate',
      user: 'bob',
      session: 'session-alpha',
      body: { model: m1, stream: true, options: { ...OPTIONS, num_predict: 16 }, prompt: 'Hello there, how are you?' },
    },
    {
      key: 'error',
      path: '/api/generate',
      user: 'carol',
      body: { model: 'no-such-model', stream: false, prompt: 'This model does not exist.' },
    },
    {
      key: 'cancelled',
      path: '/api/generate',
      user: 'carol',
      abort: true,
      body: { model: m2, stream: true, options: { num_predict: 4000 }, prompt: 'Tell me a very long story.' },
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
    chat('tools', 'scripted-tools', 'What is the weather in Lima?', { user: 'alice' }),
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
    ...HOSTILE_PROMPTS.map((p, i) => chat(`hostilePrompt${i}`, m1, p, { user: 'mallory' })),
    chat('hostileAnswer', 'scripted-hostile', 'Answer with some formatting, please.', { user: 'mallory' }),
  ];
}

async function send(proxyUrl: string, s: Send): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (s.user) {
    headers['x-user-id'] = s.user;
  }
  if (s.session) {
    headers['x-session-id'] = s.session;
  }
  const controller = new AbortController();
  const res = await fetch(`${proxyUrl}${s.path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(s.body),
    signal: controller.signal,
  });
  if (s.abort) {
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    return;
  }
  await res.text();
}

export interface SeedResult {
  /** Message id by seed key (filler0…, chat, streamed, error, …). */
  ids: Record<string, string>;
  total: number;
}

interface ListedMessage {
  id: string;
  started_at: number;
}

/**
 * Sends the plan one request at a time; each new message's id is read back from the store (the newest
 * message after the request), so the ids are the store's own.
 */
export async function seed(proxyUrl: string, adminUrl: string, token: string, models: string[]): Promise<SeedResult> {
  const ids: Record<string, string> = {};
  const auth = { authorization: `Bearer ${token}` };
  const known = new Set<string>();
  for (const s of plan(models)) {
    await send(proxyUrl, s);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${adminUrl}/analytics/messages?limit=10&sort=time&order=desc`, { headers: auth });
      const body = (await res.json()) as { messages?: ListedMessage[] };
      const fresh = (body.messages ?? []).find((m) => !known.has(m.id));
      if (fresh) {
        known.add(fresh.id);
        ids[s.key] = fresh.id;
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`seeding: the message of "${s.key}" never reached the store`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { ids, total: known.size };
}
