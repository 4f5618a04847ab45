/**
 * Black-box transport behaviour against the real Ollama: status, headers and bodies intact, streams
 * forwarded as they come, concurrency, large bodies, and cancellation reaching Ollama.
 */
import { request } from 'undici';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startOllama, type OllamaServer } from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';

let sidecar: TestSidecar;
let model: string;

beforeAll(async () => {
  sidecar = await startSidecar(testOllamaUrl(), ['--store', 'false']);
  model = testOllamaModels()[0];
});
afterAll(() => sidecar.close());

async function both(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const call = async (base: string) => {
    const res = await request(base + path, {
      method: method as 'GET',
      body,
      headers: body ? { 'content-type': 'application/json', ...headers } : headers,
    });
    return {
      status: res.statusCode,
      type: res.headers['content-type'],
      body: await res.body.text(),
      headers: res.headers,
    };
  };
  return { direct: await call(testOllamaUrl()), proxied: await call(sidecar.url) };
}

describe('passes everything through intact', () => {
  // Rows always have three cells: jest would take a missing third argument for a done callback.
  it.each<[string, string, string | undefined]>([
    ['GET', '/', undefined],
    ['HEAD', '/', undefined],
    ['GET', '/api/version', undefined],
    ['GET', '/api/nope', undefined],
    ['GET', '/api/generate', undefined],
    ['POST', '/api/generate', '{"model": "tiny", "prompt": '],
    ['POST', '/api/chat', 'not json at all'],
    ['POST', '/api/generate', ''],
    ['POST', '/v1/chat/completions', '{"model":"tiny","messages":[]}'],
    ['GET', '/v1/models/does-not-exist', undefined],
  ])('%s %s %s', async (method, path, body) => {
    const { direct, proxied } = await both(method, path, body);
    expect(proxied.status).toBe(direct.status);
    expect(proxied.type).toBe(direct.type);
    expect(proxied.body).toBe(direct.body);
    expect(proxied.headers.allow).toBe(direct.headers.allow);
  });

  it('adds only its own id and a Server-Timing header', async () => {
    const { proxied } = await both('GET', '/api/tags');
    expect(proxied.headers['x-ollama-lens-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(proxied.headers['server-timing']).toMatch(/ollama-lens;dur=\d+\.\d+/);
  });

  it('sends Ollama a Host it accepts, whatever Host the client used', async () => {
    const res = await request(`${sidecar.url}/api/version`, { headers: { host: 'lens.example.com' } });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toHaveProperty('version');
  });

  it('serves its own endpoints without forwarding them', async () => {
    const res = await request(`${sidecar.url}/healthz`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ status: 'ok' });
  });

  it('a 1 MB prompt goes through and is captured whole', async () => {
    const prompt = 'lorem ipsum '.repeat(90_000).slice(0, 1_000_000);
    const body = JSON.stringify({ model, prompt, stream: false, options: { num_predict: 4 } });
    const { direct, proxied } = await both('POST', '/api/generate', body);
    expect(proxied.status).toBe(direct.status);
    expect(Object.keys(JSON.parse(proxied.body)).sort()).toEqual(Object.keys(JSON.parse(direct.body)).sort());
    const r = await sidecar.waitForRecord((r) => (r.prompt?.prompt?.length ?? 0) === 1_000_000);
    expect(r.request_bytes).toBe(Buffer.byteLength(body));
    expect(r.status).toBe(direct.status === 200 ? 'success' : 'error');
  });
});

describe('streams', () => {
  const streamBody = (seed: number) =>
    JSON.stringify({
      model,
      prompt: `Stream number ${seed}`,
      options: { num_predict: 20, seed, temperature: 0 },
    });
  /** Drops what differs between two runs of the same request (timestamps and durations). */
  const normalise = (ndjson: string) =>
    ndjson
      .trim()
      .split('\n')
      .map((l) => {
        const o = JSON.parse(l) as Record<string, unknown>;
        for (const k of Object.keys(o)) if (k === 'created_at' || k.endsWith('_duration')) delete o[k];
        return o;
      });

  it('10 concurrent streams arrive byte for byte as Ollama sent them', async () => {
    const seeds = [...Array(10).keys()].map((i) => i + 100);
    const proxied = await Promise.all(
      seeds.map(async (seed) => {
        const res = await request(`${sidecar.url}/api/generate`, { method: 'POST', body: streamBody(seed) });
        const chunks: Buffer[] = [];
        for await (const c of res.body) chunks.push(c as Buffer);
        return { id: res.headers['x-ollama-lens-id'] as string, bytes: Buffer.concat(chunks) };
      })
    );
    for (const [i, seed] of seeds.entries()) {
      const res = await request(`${testOllamaUrl()}/api/generate`, {
        method: 'POST',
        body: streamBody(seed),
      });
      const direct = await res.body.text();
      expect(normalise(proxied[i].bytes.toString())).toEqual(normalise(direct));
      // What the client got is exactly what the tap saw arriving from Ollama.
      const r = await sidecar.waitForRecord((r) => r.id === proxied[i].id);
      expect(r.response_bytes).toBe(proxied[i].bytes.length);
      expect(r.chunks!.reduce((n, c) => n + c.bytes, 0)).toBe(proxied[i].bytes.length);
    }
  });

  it('forwards each chunk as it arrives (the first reaches the client before the stream ends)', async () => {
    const res = await request(`${sidecar.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model, prompt: 'Go', options: { num_predict: 30 } }),
    });
    const arrivals: number[] = [];
    const t0 = performance.now();
    for await (const _c of res.body) arrivals.push(performance.now() - t0);
    expect(arrivals.length).toBeGreaterThan(2);
    const r = await sidecar.waitForRecord((r) => r.id === res.headers['x-ollama-lens-id']);
    // The sidecar saw the stream in several pieces spread over time, not as one buffered block.
    expect(r.chunks!.length).toBeGreaterThan(2);
    expect(r.chunks![r.chunks!.length - 1].t_ms - r.chunks![0].t_ms).toBeGreaterThan(0);
  });
});

describe('cancellation reaches Ollama', () => {
  let ollama: OllamaServer;
  let lens: TestSidecar;
  beforeAll(async () => {
    // Its own Ollama with one slot: if an abandoned generation kept running, the next request would wait.
    ollama = await startOllama({ numParallel: 1 });
    lens = await startSidecar(ollama.url, ['--store', 'false']);
  });
  afterAll(async () => {
    await lens.close();
    await ollama.stop();
  });

  async function tokensPerSecond(): Promise<number> {
    const res = await request(`${ollama.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: ollama.models[0],
        prompt: 'speed',
        stream: false,
        options: { num_predict: 200 },
      }),
    });
    const j = (await res.body.json()) as { eval_count: number; eval_duration: number };
    return j.eval_count / (j.eval_duration / 1e9);
  }

  async function followUpMs(): Promise<number> {
    const t0 = performance.now();
    const res = await request(`${ollama.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: ollama.models[0],
        prompt: 'next',
        stream: false,
        options: { num_predict: 4 },
      }),
    });
    await res.body.text();
    return performance.now() - t0;
  }

  it.each([true, false])(
    'a client that disconnects (stream: %s) stops the generation',
    async (stream) => {
      const tps = await tokensPerSecond();
      const numPredict = Math.ceil(tps * 30); // about 30 s of work if nobody stopped it
      const ac = new AbortController();
      const res = request(`${lens.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({
          model: ollama.models[0],
          prompt: `long ${stream}`,
          stream,
          options: { num_predict: numPredict },
        }),
        signal: ac.signal,
      });
      if (stream) {
        const r = await res;
        for await (const _c of r.body) break; // first chunk, then leave
      } else {
        await new Promise((r) => setTimeout(r, 300));
      }
      ac.abort();
      await res.catch(() => undefined);
      const rec = await lens.waitForRecord((r) => r.prompt?.prompt === `long ${stream}`);
      expect(rec.status).toBe('cancelled');
      // With one slot, the follow-up runs only once the abandoned generation has stopped.
      expect(await followUpMs()).toBeLessThan(5000);
      // Measuring the speed and the abandoned generation take real inference time: on 2 cores shared with
      // the other suites' Ollama runs, more than jest's default minute.
    },
    180_000
  );
});

describe('upstream trouble', () => {
  it("Ollama unreachable: 502 with Ollama's error shape", async () => {
    const lens = await startSidecar('http://127.0.0.1:9', ['--store', 'false']);
    try {
      const res = await request(`${lens.url}/api/tags`);
      expect(res.statusCode).toBe(502);
      const body = (await res.body.json()) as { error: string };
      expect(body.error).toMatch(/cannot reach Ollama at http:\/\/127\.0\.0\.1:9/);
      const r = await lens.waitForRecord(() => true);
      expect(r).toMatchObject({ status: 'error', error_type: 'upstream_unreachable', http_status: 502 });
    } finally {
      await lens.close();
    }
  });
});
