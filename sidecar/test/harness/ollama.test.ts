/** The shared Ollama from the jest globalSetup really serves the tiny models. */
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startOllama } from '@ollama-lens/testkit/ollama';

interface Metrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}
interface GenerateResponse extends Metrics {
  model: string;
  created_at: string;
  response: string;
  done: boolean;
  done_reason?: string;
  context?: number[];
}
interface ChatResponse extends Metrics {
  model: string;
  message: { role: string; content: string };
  done: boolean;
  done_reason?: string;
}

const url = testOllamaUrl();

async function post<T>(
  path: string,
  body: object
): Promise<{ status: number; contentType: string; json: T }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    json: (await res.json()) as T,
  };
}

/** Durations are integer nanoseconds: 8 tokens take well over 10 µs and well under a minute. */
function expectNanoseconds(v: number | undefined): void {
  expect(Number.isInteger(v)).toBe(true);
  expect(v).toBeGreaterThan(10_000);
  expect(v).toBeLessThan(60e9);
}

describe('shared test Ollama', () => {
  it('exposes the models through env', () => {
    expect(testOllamaModels()).toEqual(['tiny', 'tiny2']);
  });

  it('answers / and /api/version', async () => {
    const root = await fetch(`${url}/`);
    expect(await root.text()).toBe('Ollama is running');
    const res = await fetch(`${url}/api/version`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { version: unknown };
    expect(typeof body.version).toBe('string'); // "0.0.0" for a go-install build
  });

  it('lists both models in /api/tags', async () => {
    const res = await fetch(`${url}/api/tags`);
    const body = (await res.json()) as { models: Array<{ name: string; details: { family: string } }> };
    expect(body.models.map((m) => m.name).sort()).toEqual(['tiny2:latest', 'tiny:latest']);
    for (const m of body.models) expect(m.details.family).toBe('llama');
  });

  it('generates text with token counts and nanosecond durations', async () => {
    const req = {
      model: 'tiny',
      prompt: 'Why is the sky blue?',
      stream: false,
      options: { num_predict: 8, seed: 1 },
    };
    const { status, contentType, json } = await post<GenerateResponse>('/api/generate', req);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^application\/json/);
    expect(json.done).toBe(true);
    expect(json.done_reason).toBe('length'); // the tiny model never samples EOS
    expect(json.eval_count).toBe(8);
    expect(json.response.trim().length).toBeGreaterThan(0);
    expect(json.response).toMatch(/^[\x20-\x7e]+$/); // readable ASCII, by construction of the weights
    expect(json.prompt_eval_count).toBeGreaterThan(0);
    expectNanoseconds(json.total_duration);
    expectNanoseconds(json.eval_duration);
    expect(json.total_duration).toBeGreaterThanOrEqual(json.eval_duration ?? 0);

    // A fixed seed makes the output reproducible, which the recorded fixtures rely on.
    const again = await post<GenerateResponse>('/api/generate', req);
    expect(again.json.response).toBe(json.response);
  });

  it('streams NDJSON ending in one done chunk', async () => {
    const res = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny2', prompt: 'hello', options: { num_predict: 5, seed: 3 } }),
    });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as GenerateResponse);
    expect(lines.filter((l) => l.done)).toHaveLength(1);
    const last = lines[lines.length - 1];
    expect(last.done).toBe(true);
    expect(last.model).toBe('tiny2');
    expect(last.eval_count).toBe(5);
    expect(lines.slice(0, -1).every((l) => !l.done && l.response.length > 0)).toBe(true);
  });

  it('chats', async () => {
    const { status, json } = await post<ChatResponse>('/api/chat', {
      model: 'tiny',
      stream: false,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      options: { num_predict: 6, seed: 1 },
    });
    expect(status).toBe(200);
    expect(json.message.role).toBe('assistant');
    expect(json.message.content.length).toBeGreaterThan(0);
    expect(json.eval_count).toBe(6);
    expectNanoseconds(json.total_duration);
  });

  it('embeds', async () => {
    const { status, json } = await post<{
      model: string;
      embeddings: number[][];
      prompt_eval_count?: number;
    }>('/api/embed', { model: 'tiny', input: ['hello', 'world'] });
    expect(status).toBe(200);
    expect(json.embeddings).toHaveLength(2);
    for (const v of json.embeddings) {
      expect(v).toHaveLength(32); // n_embd
      expect(v.every((x) => Number.isFinite(x))).toBe(true);
    }
    expect(json.embeddings[0]).not.toEqual(json.embeddings[1]);
    expect(json.prompt_eval_count).toBeGreaterThan(0);
  });
});

describe('startOllama', () => {
  it('starts an isolated server and stop() kills it and its runners', async () => {
    const server = await startOllama({ numParallel: 2, models: [] });
    try {
      const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as { models: unknown[] };
      expect(tags.models).toEqual([]);
      expect(server.url).not.toBe(url);
      expect(server.logs()).toContain('OLLAMA_NUM_PARALLEL:2');
    } finally {
      await server.stop();
    }
    await expect(fetch(`${server.url}/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
