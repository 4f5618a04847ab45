/**
 * Events and the status line against a real Ollama of this file's own (it is unloaded, re-created and
 * restarted): what a person would see as annotations after a model reload or an Ollama restart.
 */
import type { EventType, LensEvent, StatusLine } from '@ollama-lens/contracts';
import {
  createTinyModels,
  startOllama,
  TINY_PARAMETERS,
  type OllamaServer,
} from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { cleanPhrase } from '../../src/status/phrase';

jest.setTimeout(180_000);

let ollama: OllamaServer;
let sidecar: TestSidecar;

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${sidecar.adminUrl}${path}`);
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const events = async (query = '') =>
  (await getJson<{ events: LensEvent[]; truncated: boolean }>(`/analytics/events?from=0${query}`)).events;

/** Polls the events until one matches (the poll interval is 200 ms here). */
async function waitForEvent(
  type: EventType,
  match: (e: LensEvent) => boolean = () => true,
  after = 0
): Promise<LensEvent> {
  const end = Date.now() + 60_000;
  for (;;) {
    const found = (await events()).find((e) => e.type === type && e.at >= after && match(e));
    if (found) return found;
    if (Date.now() > end) throw new Error(`no ${type} event; events: ${JSON.stringify(await events())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function generate(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sidecar.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'tiny',
      prompt: 'hi',
      stream: false,
      options: { num_predict: 2 },
      ...body,
    }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

beforeAll(async () => {
  ollama = await startOllama({ models: ['tiny'] });
  sidecar = await startSidecar(ollama.url, ['--poll-interval-ms', '200']);
});

afterAll(async () => {
  await sidecar?.close();
  await ollama?.stop();
});

describe('events', () => {
  it('the start of the sidecar, with its settings', async () => {
    const started = await waitForEvent('sidecar_started');
    expect(started.details).toMatchObject({ store: true, metrics: true, redact: false, changed: null });
  });

  it('a model loading for a request (with its cold start), then unloaded by keep_alive 0', async () => {
    const t0 = Date.now();
    await generate({});
    const loaded = await waitForEvent('model_loaded', (e) => e.model === 'tiny:latest', t0);
    expect(loaded.details).toMatchObject({ placement: 'cpu', vram_bytes: 0 });
    expect(loaded.details.size_bytes).toBeGreaterThan(0);
    const cold = await waitForEvent('cold_start', (e) => e.model === 'tiny:latest', t0);
    expect(cold.details.load_ms).toBeGreaterThanOrEqual(100);

    const t1 = Date.now();
    await generate({ keep_alive: 0, prompt: '' });
    const unloaded = await waitForEvent('model_unloaded', (e) => e.model === 'tiny:latest', t1);
    // The harness keeps models loaded forever (keep_alive -1): leaving early is an eviction.
    expect(unloaded.details.reason).toBe('evicted');
  });

  it('a model re-created with other content: created through the proxy, and its digest changed', async () => {
    const t0 = Date.now();
    const before = await (await fetch(`${ollama.url}/api/tags`)).json();
    const res = await fetch(`${sidecar.url}/api/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'tiny',
        from: 'tiny',
        parameters: { ...TINY_PARAMETERS, num_predict: 23 },
        stream: false,
      }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await waitForEvent('model_created', (e) => e.model === 'tiny:latest', t0);
    const changed = await waitForEvent('model_digest_changed', (e) => e.model === 'tiny:latest', t0);
    const oldDigest = (before as { models: { name: string; digest: string }[] }).models.find(
      (m) => m.name === 'tiny:latest'
    )?.digest;
    expect(changed.details.from).toBe(oldDigest);
    expect(changed.details.to).not.toBe(oldDigest);
  });

  it('Ollama restarted: down, then up with its version', async () => {
    const t0 = Date.now();
    const version = ((await (await fetch(`${ollama.url}/api/version`)).json()) as { version: string })
      .version;
    const port = ollama.port;
    await ollama.stop();
    const down = await waitForEvent('ollama_down', () => true, t0);
    ollama = await startOllama({ port, models: [] });
    const up = await waitForEvent('ollama_up', () => true, t0);
    expect(up.at).toBeGreaterThan(down.at);
    expect(up.details.version).toBe(version);
    expect(up.details.down_ms).toBeGreaterThan(0);
    // The models the new server does not have are gone from the installed list.
    await waitForEvent('model_removed', (e) => e.model === 'tiny:latest', t0);
    await createTinyModels(ollama.url, ['tiny']);
  });

  it('filters by group and type; an unknown type is a clear 400', async () => {
    const ollamaOnly = await events('&group=ollama');
    expect(ollamaOnly.length).toBeGreaterThan(0);
    expect(new Set(ollamaOnly.map((e) => e.type))).toEqual(new Set(['ollama_down', 'ollama_up']));
    const starts = await events('&type=sidecar_started&model=tiny');
    expect(starts).toEqual([]);
    const res = await fetch(`${sidecar.adminUrl}/analytics/events?type=model_exploded`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /unknown event type "model_exploded"; expected one of model_loaded/
    );
  });

  it('events survive a restart of the sidecar, and the next start says what changed', async () => {
    const before = await events();
    const db = sidecar.app.services.config.dbPath;
    await sidecar.close();
    const t0 = Date.now();
    sidecar = await startSidecar(ollama.url, [
      '--poll-interval-ms',
      '200',
      '--db',
      db,
      '--retention-days',
      '7',
    ]);
    const started = await waitForEvent('sidecar_started', () => true, t0);
    expect(started.details).toMatchObject({ retention_days: 7, changed: 'retention_days' });
    const after = await events();
    expect(after.slice(0, before.length)).toEqual(before);
  });
});

describe('the status line', () => {
  it('a rules line with its facts, and the level follows errors', async () => {
    const status = await getJson<StatusLine>('/analytics/status');
    expect(status.source).toBe('rules');
    expect(status.line.length).toBeGreaterThan(0);
    expect(status.line.length).toBeLessThanOrEqual(120);
    expect(status.facts.map((f) => f.id)).toContain('activity');
    // Errors start: requests for a model Ollama does not have.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${sidecar.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'no-such-model', prompt: 'x', stream: false }),
      });
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    }
    await sidecar.app.services.store!.flush();
    const next = await sidecar.app.services.status!.refresh();
    expect(next.level).toBe('critical');
    expect(next.line).toMatch(/% of requests failing, mostly model_not_found/);
    expect((await getJson<StatusLine>('/analytics/status')).line).toBe(next.line);
  });
});

describe('the model-phrased status line', () => {
  it('asks the model through the proxy; its line if clean and short, else the rules line', async () => {
    const phrased = await startSidecar(ollama.url, [
      '--status-model',
      'tiny',
      '--status-refresh-ms',
      '60000',
    ]);
    try {
      const status = await phrased.app.services.status!.refresh();
      // The request went through the sidecar's own proxy path, measured like any other.
      const asked = await phrased.waitForRecord(
        (r) => r.endpoint === '/api/generate' && (r.prompt?.prompt ?? '').includes('status banner')
      );
      expect(asked.status).toBe('success');
      // Marked as the status line's own, and kept out of the stored messages (the Explorer).
      expect(asked.origin).toBe('status');
      const app = await fetch(`${phrased.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'tiny',
          prompt: 'an app asks',
          stream: false,
          options: { num_predict: 2 },
        }),
      });
      await app.arrayBuffer();
      const appRecord = await phrased.waitForRecord((r) => r.prompt?.prompt === 'an app asks');
      await phrased.app.services.store!.flush();
      const page = (await (await fetch(`${phrased.adminUrl}/analytics/messages?limit=100`)).json()) as {
        messages: { id: string }[];
      };
      expect(page.messages.map((m) => m.id)).toContain(appRecord.id);
      expect(page.messages.map((m) => m.id)).not.toContain(asked.id);
      expect(status.line.length).toBeLessThanOrEqual(120);
      // The tiny model's words are random: either its first line was usable or the rules stood in.
      const answer = asked.response?.content ?? '';
      expect(status.source).toBe(cleanPhrase(answer) === undefined ? 'rules' : 'model');
      if (status.source === 'model') expect(status.line).toBe(cleanPhrase(answer));
    } finally {
      await phrased.close();
    }
  });

  it('a model that does not exist falls back to the rules line', async () => {
    const missing = await startSidecar(ollama.url, [
      '--status-model',
      'no-such-model',
      '--status-refresh-ms',
      '60000',
    ]);
    try {
      const status = await missing.app.services.status!.refresh();
      expect(status.source).toBe('rules');
      expect(status.line.length).toBeGreaterThan(0);
    } finally {
      await missing.close();
    }
  });
});
