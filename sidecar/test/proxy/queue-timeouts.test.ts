/**
 * Queue-aware timeouts. A request waiting in Ollama's own queue gets no response headers until a slot
 * frees: that wait is not silence, so on inference endpoints no timeout runs before the headers (unless
 * --header-timeout-ms sets one); the idle timeout runs between chunks once the answer has started, and
 * before the headers on everything else.
 *
 * The queue is a real Ollama with OLLAMA_NUM_PARALLEL=1 holding more requests than it runs; silence
 * comes from a stand-in upstream, which a real Ollama cannot be made to do on demand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { startOllama, warmModel, type OllamaServer } from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';

const IDLE_MS = 1500;

interface Answer {
  status: number;
  /** Milliseconds from sending to the response headers. */
  headersAfterMs: number;
  body: string;
  id: string;
}

async function generate(base: string, body: object, dispatcher?: Agent): Promise<Answer> {
  const t0 = performance.now();
  const res = await request(`${base}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    dispatcher,
  });
  const headersAfterMs = performance.now() - t0;
  return {
    status: res.statusCode,
    headersAfterMs,
    body: await res.body.text(),
    id: String(res.headers['x-ollama-lens-id']),
  };
}

describe('a real Ollama holding more requests than it runs at once (OLLAMA_NUM_PARALLEL=1)', () => {
  let ollama: OllamaServer;
  let lens: TestSidecar;

  beforeAll(async () => {
    ollama = await startOllama({ numParallel: 1, models: ['tiny'] });
    await warmModel(ollama.url, 'tiny');
    lens = await startSidecar(ollama.url, [
      '--store',
      'false',
      '--idle-timeout-ms',
      String(IDLE_MS),
      '--ollama-num-parallel',
      '1',
    ]);
  }, 120_000);
  afterAll(async () => {
    await lens?.close();
    await ollama?.stop();
  });

  it('every queued stream completes with 200, though the last ones wait longer than the idle timeout', async () => {
    const body = (i: number) => ({
      model: 'tiny',
      prompt: `queued ${i}`,
      stream: true,
      options: { num_predict: 24, seed: i },
    });
    // How long one request takes varies a hundredfold with the machine's load: double the queue until
    // its tail waited past the idle timeout before Ollama started it (every round must succeed in full).
    let longestWait = 0;
    let total = 0;
    for (let n = 6; longestWait <= IDLE_MS && n <= 192; n *= 2) {
      const answers = await Promise.all(
        Array.from({ length: n }, (_, i) => generate(lens.url, body(total + i)))
      );
      total += n;
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.body.trim().split('\n').pop()).toContain('"done":true');
      }
      longestWait = Math.max(...answers.map((a) => a.headersAfterMs));
      const records = await Promise.all(answers.map((a) => lens.waitForRecord((r) => r.id === a.id)));
      expect(records.filter((r) => r.status !== 'success')).toEqual([]);
    }
    // The point of the test: requests waited in Ollama's queue past the idle timeout, and still got their answer.
    expect(longestWait).toBeGreaterThan(IDLE_MS);
  }, 180_000);
});

describe('silence from a stand-in upstream', () => {
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  let handler: Handler;
  let server: Server;
  let upstream: string;
  const sidecars: TestSidecar[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    upstream = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await Promise.all(sidecars.map((s) => s.close()));
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const sidecar = async (flags: string[]) => {
    const s = await startSidecar(upstream, ['--store', 'false', ...flags]);
    sidecars.push(s);
    return s;
  };
  const line = (o: object) => JSON.stringify(o) + '\n';
  const answerAfter =
    (ms: number): Handler =>
    (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(
          line({ model: 'm', response: 'late', done: false }) +
            line({ model: 'm', response: '', done: true, done_reason: 'stop' })
        );
      }, ms);
    };

  it('by default, an inference request waits for its headers longer than the idle timeout', async () => {
    const lens = await sidecar(['--idle-timeout-ms', '300']);
    handler = answerAfter(1000);
    const a = await generate(lens.url, { model: 'm', prompt: 'wait for me' });
    expect(a.status).toBe(200);
    expect(a.headersAfterMs).toBeGreaterThan(900);
    expect(a.body).toContain('late');
    expect((await lens.waitForRecord((r) => r.id === a.id)).status).toBe('success');
  });

  it('--header-timeout-ms bounds that wait: 504 naming the option', async () => {
    const lens = await sidecar(['--idle-timeout-ms', '5000', '--header-timeout-ms', '300']);
    handler = answerAfter(3000);
    const a = await generate(lens.url, { model: 'm', prompt: 'too slow' });
    expect(a.status).toBe(504);
    expect(a.headersAfterMs).toBeLessThan(2500);
    expect((JSON.parse(a.body) as { error: string }).error).toMatch(
      /did not answer within 300 ms \(OLLAMA_LENS_HEADER_TIMEOUT_MS\)/
    );
    expect(await lens.waitForRecord((r) => r.prompt?.prompt === 'too slow')).toMatchObject({
      status: 'timeout',
      error_type: 'timeout',
      http_status: 504,
    });
  });

  it('once the stream has started, silence longer than the idle timeout still ends it', async () => {
    const lens = await sidecar(['--idle-timeout-ms', '300']);
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(line({ model: 'm', response: 'partial', done: false }));
    };
    const t0 = performance.now();
    const res = await request(`${lens.url}/api/generate`, {
      method: 'POST',
      body: '{"model":"m","prompt":"then silence"}',
    });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(3000);
    const r = await lens.waitForRecord((r) => r.prompt?.prompt === 'then silence');
    expect(r).toMatchObject({ status: 'timeout', error_type: 'timeout' });
    expect(r.error_message).toMatch(/sent nothing for 300 ms mid-response/);
  });

  it('a non-inference endpoint that never answers gets 504 after the idle timeout', async () => {
    const lens = await sidecar(['--idle-timeout-ms', '300']);
    handler = () => {
      /* never answers */
    };
    const res = await request(`${lens.url}/api/tags`);
    expect(res.statusCode).toBe(504);
    expect(((await res.body.json()) as { error: string }).error).toMatch(
      /did not answer within 300 ms \(OLLAMA_LENS_IDLE_TIMEOUT_MS\)/
    );
  });
});
