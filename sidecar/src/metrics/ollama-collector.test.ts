import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { loadFixture } from '@ollama-lens/testkit/fixtures';
import { testOllamaUrl } from '@ollama-lens/testkit/env';
import { find, parseExposition, value } from '../../test/metrics/exposition-reader';
import { METRICS } from './contract';
import { renderMetrics } from './exposition';
import { createMetrics } from './metrics';
import { OllamaCollector, OllamaFormatError, parsePs, parseTags, parseVersion } from './ollama-collector';

const body = (name: string): unknown => JSON.parse(loadFixture(name).body);

describe('parsers over recorded Ollama answers', () => {
  it('/api/ps: name, size, VRAM share, context length, digest and expiry', () => {
    const [m, ...rest] = parsePs(body('ps-loaded'));
    expect(rest).toEqual([]);
    expect(m).toEqual({
      name: 'tiny:latest',
      size: 13492736,
      sizeVram: 0,
      contextLength: 4096,
      digest: '024e8da45d6ff09eedd4e6ad31d69a5a08024461ebd6de3e2e6d56d93d6387af',
      expiresAt: Date.parse('2319-03-06T23:17:03.358712737Z'),
    });
    expect(parsePs(body('ps-empty'))).toEqual([]);
  });

  it('/api/tags: installed names and digests', () => {
    const digest = '024e8da45d6ff09eedd4e6ad31d69a5a08024461ebd6de3e2e6d56d93d6387af';
    expect(parseTags(body('tags'))).toEqual([
      { name: 'tiny2:latest', digest },
      { name: 'tiny:latest', digest },
    ]);
  });

  it('/api/version', () => {
    expect(parseVersion(body('version'))).toBe('0.0.0');
  });

  it('caps VRAM at the size and skips unnamed entries', () => {
    expect(parsePs({ models: [{ name: 'a', size: 100, size_vram: 150 }, { size: 5 }, 'junk'] })).toEqual([
      { name: 'a', size: 100, sizeVram: 100 },
    ]);
  });

  it('says what it expected when the shape is wrong', () => {
    expect(() => parsePs({ error: 'nope' })).toThrow(OllamaFormatError);
    expect(() => parseTags([])).toThrow(/\/api\/tags: expected \{"models": \[\.\.\.\]\}/);
    expect(() => parseVersion({ version: 3 })).toThrow(/\/api\/version/);
  });
});

const OLLAMA_METRICS = new Set<string>(
  Object.values(METRICS)
    .filter((m) => m.source === 'ollama')
    .map((m) => m.name)
);

/** The polled Ollama metrics only (other unlabelled gauges read 0 without their collectors). */
async function scrape(c: OllamaCollector) {
  const registry = new Registry();
  createMetrics(registry, { userLabel: false, collect: c.hooks() });
  const exp = parseExposition(await renderMetrics(registry, 'prometheus'));
  return { ...exp, samples: exp.samples.filter((s) => OLLAMA_METRICS.has(s.name)) };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('OllamaCollector', () => {
  it('says nothing before the first poll (not even ollama_up 0)', async () => {
    const c = new OllamaCollector({ upstream: new URL(testOllamaUrl()), timeoutMs: 5000 });
    try {
      const exp = await scrape(c);
      expect(exp.samples).toEqual([]);
    } finally {
      await c.close();
    }
  });

  it('polls the real Ollama: up, version, installed and loaded models with their memory', async () => {
    const url = testOllamaUrl();
    // Make sure one model is in memory.
    const warm = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny', prompt: 'hi', stream: false, options: { num_predict: 1 } }),
    });
    expect(warm.status).toBe(200);
    await warm.arrayBuffer();
    const pinned: string[] = [];
    const c = new OllamaCollector({ upstream: new URL(url), timeoutMs: 5000 });
    c.onSnapshot((s) => pinned.push(...OllamaCollector.modelNames(s)));
    try {
      const snap = await c.poll();
      expect(snap.up).toBe(true);
      const ps = (await (await fetch(`${url}/api/ps`)).json()) as {
        models: { name: string; size: number; size_vram: number }[];
      };
      const exp = await scrape(c);
      expect(value(exp, 'ollama_up')).toBe(1);
      expect(find(exp, 'ollama_build_info')).toEqual([
        { name: 'ollama_build_info', labels: { version: snap.version }, value: 1 },
      ]);
      expect(value(exp, 'ollama_models_loaded')).toBe(ps.models.length);
      expect(ps.models.length).toBeGreaterThan(0);
      for (const m of ps.models) {
        expect(value(exp, 'ollama_model_loaded', { model: m.name })).toBe(1);
        expect(value(exp, 'ollama_model_memory_bytes', { model: m.name, location: 'vram' })).toBe(
          m.size_vram
        );
        expect(value(exp, 'ollama_model_memory_bytes', { model: m.name, location: 'ram' })).toBe(
          m.size - m.size_vram
        );
        expect(value(exp, 'ollama_model_context_length', { model: m.name })).toBeGreaterThan(0);
      }
      // Installed but not running models read 0 (tiny and tiny2 share a blob, so Ollama may list one).
      const installed = find(exp, 'ollama_model_loaded').map((s) => s.labels.model);
      expect(installed).toEqual(expect.arrayContaining(['tiny:latest', 'tiny2:latest']));
      expect(pinned).toEqual(expect.arrayContaining(['tiny:latest', 'tiny2:latest']));
    } finally {
      await c.close();
    }
  });

  it('reports ollama_up 0 and no model gauges when Ollama does not answer', async () => {
    const c = new OllamaCollector({
      upstream: new URL(`http://127.0.0.1:${await closedPort()}`),
      timeoutMs: 2000,
    });
    try {
      const snap = await c.poll();
      expect(snap).toEqual({ up: false });
      const exp = await scrape(c);
      expect(exp.samples).toEqual([{ name: 'ollama_up', labels: {}, value: 0 }]);
    } finally {
      await c.close();
    }
  });

  it('keeps a base path of the upstream URL', async () => {
    // The real Ollama has no /prefix: every call fails with 404, so Ollama counts as down.
    const c = new OllamaCollector({ upstream: new URL(`${testOllamaUrl()}/prefix/`), timeoutMs: 5000 });
    try {
      expect((await c.poll()).up).toBe(false);
    } finally {
      await c.close();
    }
  });
});
