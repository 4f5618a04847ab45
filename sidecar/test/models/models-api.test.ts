/**
 * The Models page's API against a real Ollama of this file's own (its models are loaded, unloaded,
 * copied and deleted): what it lists is what Ollama says, each action changes what /api/ps and
 * /api/tags report and goes through the proxy (stored, turned into an event), and only the actions
 * token opens the write routes.
 */
import {
  ACTIONS_TOKEN_HEADER,
  MESSAGE_ID_HEADER,
  MODELS_API,
  type InstalledModels,
  type LensEvent,
  type ModelActionResult,
  type ModelDetail,
  type ModelPreferences,
  type ModelUsageResponse,
  type PullProgressLine,
} from '@ollama-lens/contracts';
import {
  createTinyEmbeddingModel,
  freePort,
  startOllama,
  TINY_EMBEDDING_MODEL,
  type OllamaServer,
} from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config';

jest.setTimeout(120_000);

const READ = 'read-token';
const ACT = 'actions-token';

let ollama: OllamaServer;
let sidecar: TestSidecar;
let dbPath: string;

const reading = { authorization: `Bearer ${READ}` };
const acting = { ...reading, [ACTIONS_TOKEN_HEADER]: ACT };

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = acting,
  base = sidecar.adminUrl
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
}

async function ok<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await call(method, path, body);
  if (res.status !== 200)
    throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

interface OllamaTags {
  models: { name: string; digest: string; size: number; modified_at: string; details: { family: string } }[];
}
interface OllamaPs {
  models: { name: string; size: number; size_vram: number; context_length?: number }[];
}
const ollamaJson = async <T>(path: string): Promise<T> =>
  (await (await fetch(`${ollama.url}${path}`)).json()) as T;

/** Polls the event log until an event matches (the poll interval is 200 ms here). */
async function waitForEvent(match: (e: LensEvent) => boolean): Promise<LensEvent> {
  const end = Date.now() + 30_000;
  for (;;) {
    const { events } = await ok<{ events: LensEvent[] }>('GET', '/analytics/events?from=0');
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > end) throw new Error(`no such event; events: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  ollama = await startOllama({ models: ['tiny'] });
  sidecar = await startSidecar(ollama.url, [
    '--admin-token',
    READ,
    '--actions-token',
    ACT,
    '--poll-interval-ms',
    '200',
  ]);
  dbPath = sidecar.app.services.config.dbPath;
});

afterAll(async () => {
  await sidecar?.close();
  await ollama?.stop();
});

describe('reads', () => {
  it("lists what Ollama's /api/tags has, with /api/show's capabilities and context length", async () => {
    const tags = await ollamaJson<OllamaTags>('/api/tags');
    const page = await ok<InstalledModels>('GET', MODELS_API.installed);
    expect(page.installed.map((m) => m.name).sort()).toEqual(tags.models.map((m) => m.name).sort());
    // One order whatever Ollama's (it shuffles models modified in the same second): newest first, then by name.
    const order = [...page.installed].sort(
      (x, y) =>
        (y.modified_at ?? 0) - (x.modified_at ?? 0) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)
    );
    expect(page.installed.map((m) => m.name)).toEqual(order.map((m) => m.name));
    const again = await ok<InstalledModels>('GET', MODELS_API.installed);
    expect(again.installed.map((m) => m.name)).toEqual(page.installed.map((m) => m.name));
    const tiny = page.installed.find((m) => m.name === 'tiny:latest')!;
    const tagged = tags.models.find((m) => m.name === 'tiny:latest')!;
    expect(tiny).toMatchObject({
      digest: tagged.digest,
      size_bytes: tagged.size,
      modified_at: Date.parse(tagged.modified_at),
      family: tagged.details.family,
      favourite: false,
      is_default: false,
    });
    expect(tiny.capabilities).toContain('completion');
    expect(tiny.context_length).toBeGreaterThan(0);
    expect(page.actions_enabled).toBe(true);
  });

  it("the detail drawer: /api/show's template, parameters, Modelfile and model_info", async () => {
    const show = (await (
      await fetch(`${ollama.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'tiny' }) })
    ).json()) as {
      template: string;
      parameters: string;
      modelfile: string;
      model_info: Record<string, unknown>;
    };
    const detail = await ok<ModelDetail>('GET', `${MODELS_API.detail}?name=tiny`);
    expect(detail.template).toBe(show.template);
    // Ollama writes the parameter lines in Go map order, which changes between calls.
    const lines = (t: string | null) => (t ?? '').split('\n').sort();
    expect(lines(detail.modelfile)).toEqual(lines(show.modelfile));
    expect(lines(detail.parameters)).toEqual(lines(show.parameters));
    expect(detail.modelfile).toMatch(/^# Modelfile generated by "ollama show"/);
    expect(detail.model_info).toEqual(show.model_info);
    expect(detail.model_info['general.architecture']).toBe('llama');
  });

  it("an unknown model is Ollama's 404, a name that is no model name a 400", async () => {
    const missing = await call('GET', `${MODELS_API.detail}?name=nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "model 'nope' not found" });
    const bad = await call('GET', `${MODELS_API.detail}?name=${encodeURIComponent('../etc/passwd')}`);
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(
      /^querystring\/name is not a model name: expected \[host\[:port\]\/\]/
    );
  });

  it('Ollama unreachable: a 502 naming it, not a crash', async () => {
    const down = await startSidecar('http://127.0.0.1:9', ['--store', 'false']);
    try {
      const res = await call('GET', MODELS_API.installed, undefined, {}, down.adminUrl);
      expect(res.status).toBe(502);
      expect((res.body as { error: string }).error).toMatch(/cannot reach Ollama at http:\/\/127\.0\.0\.1:9/);
    } finally {
      await down.close();
    }
  });
});

describe('usage per model', () => {
  it('counts what went through the proxy in the window, from the store', async () => {
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${sidecar.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'tiny',
          prompt: `usage ${i}`,
          stream: false,
          options: { num_predict: 3 },
        }),
      });
      expect(res.status).toBe(200);
      await res.text();
      ids.push(res.headers.get(MESSAGE_ID_HEADER)!);
    }
    // A format that is neither "json" nor a schema: Ollama fails it with a 500 (an error of the model).
    const failed = await fetch(`${sidecar.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny', prompt: 'x', stream: false, format: 'nope' }),
    });
    expect(failed.status).toBe(500);
    await failed.text();
    // Stored with the writer's next batch: wait until the store has them all.
    const end = Date.now() + 10_000;
    let usage: ModelUsageResponse;
    do {
      await new Promise((r) => setTimeout(r, 100));
      usage = await ok<ModelUsageResponse>('GET', `${MODELS_API.usage}?from=${t0}`);
    } while ((usage.models[0]?.requests ?? 0) < 4 && Date.now() < end);
    expect(usage.models).toHaveLength(1);
    const tiny = usage.models[0];
    const records = sidecar.records.filter((r) => r.started_at >= t0 && r.endpoint === '/api/generate');
    expect(tiny).toMatchObject({
      model: 'tiny:latest',
      requests: 4,
      output_tokens: 9,
      errors: 1,
      error_rate: 0.25,
      last_used: Math.max(...records.map((r) => r.started_at)),
    });
    expect(tiny.tokens_per_second).toBeGreaterThan(0);
    expect(tiny.latency_p50_ms).toBeGreaterThan(0);
    expect(tiny.latency_p95_ms).toBeGreaterThanOrEqual(tiny.latency_p50_ms!);
    // A window before any traffic: nothing.
    expect(await ok<ModelUsageResponse>('GET', `${MODELS_API.usage}?from=0&to=1000`)).toEqual({ models: [] });
  });
});

describe('who may act', () => {
  const writes: [string, string, unknown][] = [
    ['PUT', MODELS_API.preferences, { favourites: [], default_model: null }],
    ['POST', MODELS_API.actions.load, { model: 'tiny' }],
    ['POST', MODELS_API.actions.unload, { model: 'tiny' }],
    ['POST', MODELS_API.actions.copy, { source: 'tiny', destination: 'never' }],
    ['POST', MODELS_API.actions.delete, { model: 'tiny' }],
    ['POST', MODELS_API.actions.pull, { model: 'tiny' }],
  ];

  it.each(writes)(
    '%s %s: 401 without a token, 403 with the read token alone or a wrong actions token',
    async (method, path, body) => {
      expect((await call(method, path, body, {})).status).toBe(401);
      const viewer = await call(method, path, body, reading);
      expect(viewer.status).toBe(403);
      expect((viewer.body as { error: string }).error).toContain(ACTIONS_TOKEN_HEADER);
      const wrong = await call(method, path, body, { ...reading, [ACTIONS_TOKEN_HEADER]: 'guess' });
      expect(wrong).toMatchObject({ status: 403, body: { error: 'invalid actions token' } });
      // The actions token alone is no read token: the read check still answers first.
      expect((await call(method, path, body, { [ACTIONS_TOKEN_HEADER]: ACT })).status).toBe(401);
    }
  );

  it('nothing reached Ollama from those refused calls: tiny is still installed and no copy exists', async () => {
    const names = (await ollamaJson<OllamaTags>('/api/tags')).models.map((m) => m.name);
    expect(names).toContain('tiny:latest');
    expect(names).not.toContain('never:latest');
  });

  it('without --actions-token every write is a 403 that says how to enable it', async () => {
    const plain = await startSidecar(ollama.url, ['--store', 'false']);
    try {
      const page = await call('GET', MODELS_API.installed, undefined, {}, plain.adminUrl);
      expect((page.body as InstalledModels).actions_enabled).toBe(false);
      for (const [method, path, body] of writes) {
        const res = await call(method, path, body, { [ACTIONS_TOKEN_HEADER]: 'anything' }, plain.adminUrl);
        expect(res.status).toBe(403);
        expect((res.body as { error: string }).error).toMatch(
          /--actions-token \(OLLAMA_LENS_ACTIONS_TOKEN\)/
        );
      }
    } finally {
      await plain.close();
    }
  });

  it('the actions token may not be the read token (the sidecar refuses to start)', () => {
    expect(() => loadConfig(['--admin-token', 'same', '--actions-token', 'same'], {})).toThrow(
      /--actions-token must differ from --admin-token/
    );
    expect(loadConfig([], { OLLAMA_LENS_ACTIONS_TOKEN: 'from-env' }).actionsToken).toBe('from-env');
    expect(loadConfig([], {}).actionsToken).toBe('');
  });

  it('bad input is a 400 naming the field', async () => {
    const res = await call('POST', MODELS_API.actions.load, { model: 'tiny; rm -rf /' });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toMatch(/^body\/model is not a model name/);
    const extra = await call('POST', MODELS_API.actions.copy, { source: 'tiny' });
    expect(extra.status).toBe(400);
    expect((extra.body as { error: string }).error).toMatch(/destination/);
  });
});

describe('actions change what Ollama reports, through the proxy', () => {
  const loadedNames = async () => (await ollamaJson<OllamaPs>('/api/ps')).models.map((m) => m.name);

  it('load puts the model in memory, unload takes it out; the page shows both', async () => {
    const loaded = await ok<ModelActionResult>('POST', MODELS_API.actions.load, { model: 'tiny' });
    expect(loaded).toMatchObject({ action: 'load', model: 'tiny', source: null });
    expect(await loadedNames()).toContain('tiny:latest');
    const record = await sidecar.waitForRecord((r) => r.id === loaded.message_id);
    expect(record).toMatchObject({ endpoint: '/api/generate', status: 'success', done_reason: 'load' });

    const page = await ok<InstalledModels>('GET', MODELS_API.installed);
    const ps = (await ollamaJson<OllamaPs>('/api/ps')).models.find((m) => m.name === 'tiny:latest')!;
    const inMemory = page.loaded.find((m) => m.name === 'tiny:latest')!;
    expect(inMemory).toMatchObject({
      size_bytes: ps.size,
      vram_bytes: ps.size_vram,
      ram_bytes: ps.size - ps.size_vram,
      offloaded: ps.size_vram < ps.size,
    });
    expect(inMemory.expires_at).toBeGreaterThan(Date.now());
    expect(page.installed.find((m) => m.name === 'tiny:latest')!.loaded).toBe(true);
    await waitForEvent((e) => e.type === 'model_loaded' && e.model === 'tiny:latest');

    const unloaded = await ok<ModelActionResult>('POST', MODELS_API.actions.unload, { model: 'tiny' });
    expect(unloaded.action).toBe('unload');
    const unloadRecord = await sidecar.waitForRecord((r) => r.id === unloaded.message_id);
    expect(unloadRecord.done_reason).toBe('unload');
    // Ollama answers the unload before its runner has gone: wait for /api/ps to say so.
    const end = Date.now() + 20_000;
    while ((await loadedNames()).includes('tiny:latest') && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100));
    expect(await loadedNames()).not.toContain('tiny:latest');
    await waitForEvent((e) => e.type === 'model_unloaded' && e.model === 'tiny:latest');
  });

  it('loads an embedding-only model (Ollama refuses generate for it) with an empty embed; unload works as for any', async () => {
    await createTinyEmbeddingModel(ollama.url);
    try {
      const name = `${TINY_EMBEDDING_MODEL}:latest`;
      const page = await ok<InstalledModels>('GET', MODELS_API.installed);
      expect(page.installed.find((m) => m.name === name)?.capabilities).toEqual(['embedding']);
      // What the action used to send, refused by Ollama itself:
      const generate = await fetch(`${ollama.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: TINY_EMBEDDING_MODEL, prompt: '', stream: false }),
      });
      expect(generate.status).toBe(400);

      const loaded = await ok<ModelActionResult>('POST', MODELS_API.actions.load, {
        model: TINY_EMBEDDING_MODEL,
      });
      expect(await loadedNames()).toContain(name);
      const record = await sidecar.waitForRecord((r) => r.id === loaded.message_id);
      expect(record).toMatchObject({ endpoint: '/api/embed', status: 'success', model: name });

      await ok<ModelActionResult>('POST', MODELS_API.actions.unload, { model: TINY_EMBEDDING_MODEL });
      const end = Date.now() + 20_000;
      while ((await loadedNames()).includes(name) && Date.now() < end)
        await new Promise((r) => setTimeout(r, 100));
      expect(await loadedNames()).not.toContain(name);
    } finally {
      // The other tests expect tiny alone.
      await fetch(`${ollama.url}/api/delete`, {
        method: 'DELETE',
        body: JSON.stringify({ model: TINY_EMBEDDING_MODEL }),
      });
    }
  });

  it("loading a model Ollama does not have: Ollama's 404, passed on", async () => {
    const res = await call('POST', MODELS_API.actions.load, { model: 'not-there' });
    expect(res).toMatchObject({ status: 404, body: { error: "model 'not-there' not found" } });
  });

  it('copy adds the new name to /api/tags, delete removes it; each is stored and becomes an event', async () => {
    const copied = await call('POST', MODELS_API.actions.copy, { source: 'tiny', destination: 'tiny-copy' });
    expect(copied.status).toBe(200);
    const copy = copied.body as ModelActionResult;
    expect(copy).toMatchObject({ action: 'copy', model: 'tiny-copy', source: 'tiny' });
    expect(copied.headers.get(MESSAGE_ID_HEADER)).toBe(copy.message_id);
    let tags = await ollamaJson<OllamaTags>('/api/tags');
    const original = tags.models.find((m) => m.name === 'tiny:latest')!;
    expect(tags.models.find((m) => m.name === 'tiny-copy:latest')?.digest).toBe(original.digest);
    const page = await ok<InstalledModels>('GET', MODELS_API.installed);
    expect(page.installed.map((m) => m.name)).toContain('tiny-copy:latest');
    const copiedEvent = await waitForEvent(
      (e) => e.type === 'model_copied' && e.details.request_id === copy.message_id
    );
    expect(copiedEvent.model).toBe('tiny-copy:latest');

    const deleted = await ok<ModelActionResult>('POST', MODELS_API.actions.delete, { model: 'tiny-copy' });
    tags = await ollamaJson<OllamaTags>('/api/tags');
    expect(tags.models.map((m) => m.name)).toEqual(['tiny:latest']);
    const event = await waitForEvent(
      (e) => e.type === 'model_deleted' && e.details.request_id === deleted.message_id
    );
    expect(event.model).toBe('tiny-copy:latest');
    // The stored message of the delete, as the Explorer shows it (written with the next batch).
    const end = Date.now() + 10_000;
    let stored = await call('GET', `/analytics/messages/${deleted.message_id}`);
    while (stored.status === 404 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      stored = await call('GET', `/analytics/messages/${deleted.message_id}`);
    }
    expect((stored.body as { message: unknown }).message).toMatchObject({
      endpoint: '/api/delete',
      status: 'success',
    });
  });

  it('with the admin routes on a port of their own, an action still goes through the proxy listener', async () => {
    const split = await startSidecar(ollama.url, [
      '--admin-port',
      String(await freePort()),
      '--actions-token',
      ACT,
    ]);
    try {
      expect(split.adminUrl).not.toBe(split.url);
      const res = await call(
        'POST',
        MODELS_API.actions.load,
        { model: 'tiny' },
        { [ACTIONS_TOKEN_HEADER]: ACT },
        split.adminUrl
      );
      expect(res.status).toBe(200);
      const id = (res.body as ModelActionResult).message_id;
      const record = await split.waitForRecord((r) => r.id === id);
      expect(record).toMatchObject({ endpoint: '/api/generate', done_reason: 'load' });
    } finally {
      await split.close();
    }
  });

  it("deleting a model that is not there: Ollama's 404, passed on", async () => {
    const res = await call('POST', MODELS_API.actions.delete, { model: 'not-there' });
    expect(res).toMatchObject({ status: 404, body: { error: "model 'not-there' not found" } });
  });

  it("a pull Ollama cannot make (no registry here): Ollama's own error comes back as an error line", async () => {
    const res = await fetch(`${sidecar.adminUrl}${MODELS_API.actions.pull}`, {
      method: 'POST',
      headers: { ...acting, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'no-such-model-here:1b' }),
    });
    const text = await res.text();
    // Ollama either refuses before streaming (an error status) or streams progress ending in {error}.
    const error =
      res.status === 200
        ? (text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as PullProgressLine)
            .at(-1)?.error ?? '')
        : (JSON.parse(text) as { error: string }).error;
    expect(error).toMatch(/pull model manifest|dial tcp|lookup|no such host|connection refused|timeout/i);
    expect(res.headers.get(MESSAGE_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('favourites and the default model', () => {
  it('are kept in a file beside the store, in canonical names, and survive a restart', async () => {
    const prefs = await ok<ModelPreferences>('PUT', MODELS_API.preferences, {
      favourites: ['tiny', 'hf.co/user/repo:Q4_K_M'],
      default_model: 'tiny',
    });
    expect(prefs).toEqual({
      favourites: ['tiny:latest', 'hf.co/user/repo:Q4_K_M'],
      default_model: 'tiny:latest',
    });
    const page = await ok<InstalledModels>('GET', MODELS_API.installed);
    expect(page.preferences).toEqual(prefs);
    expect(page.installed.find((m) => m.name === 'tiny:latest')).toMatchObject({
      favourite: true,
      is_default: true,
    });
    expect(JSON.parse(readFileSync(`${dbPath}.preferences.json`, 'utf8'))).toEqual(prefs);

    const again = await startSidecar(ollama.url, [
      '--admin-token',
      READ,
      '--db',
      dbPath.replace(/\.db$/, '-2.db'),
    ]);
    try {
      // Another store starts with none…
      const other = await call('GET', MODELS_API.installed, undefined, reading, again.adminUrl);
      expect((other.body as InstalledModels).preferences).toEqual({ favourites: [], default_model: null });
    } finally {
      await again.close();
    }
    await sidecar.close();
    sidecar = await startSidecar(ollama.url, ['--admin-token', READ, '--actions-token', ACT, '--db', dbPath]);
    // …the same store finds them again.
    expect((await ok<InstalledModels>('GET', MODELS_API.installed)).preferences).toEqual(prefs);
  });

  it('a favourite that is no model name is a 400, and nothing is written', async () => {
    const before = readFileSync(`${dbPath}.preferences.json`, 'utf8');
    const res = await call('PUT', MODELS_API.preferences, {
      favourites: ['tiny', '"quoted"'],
      default_model: null,
    });
    expect(res.status).toBe(400);
    expect(readFileSync(`${dbPath}.preferences.json`, 'utf8')).toBe(before);
  });
});
