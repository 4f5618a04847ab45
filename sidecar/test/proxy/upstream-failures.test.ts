/**
 * What a real Ollama cannot do on demand — hang, die mid-stream, echo what it received — from a small
 * stand-in upstream, so the sidecar's handling of each case can be shown.
 */
import { createHash } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let lens: TestSidecar;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  lens = await startSidecar(`http://127.0.0.1:${port}`, [
    '--store',
    'false',
    '--idle-timeout-ms',
    '400',
    '--body-limit',
    String(4 * 1024 * 1024),
  ]);
});
afterAll(async () => {
  await lens.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const line = (o: object) => JSON.stringify(o) + '\n';

it('an upstream that never answers: 504 after the idle timeout, recorded as a timeout', async () => {
  handler = () => {
    /* hang */
  };
  // /api/show, not an inference endpoint: those may wait in Ollama's queue (see queue-timeouts.test.ts).
  const res = await request(`${lens.url}/api/show`, { method: 'POST', body: '{"model":"m"}' });
  expect(res.statusCode).toBe(504);
  expect(((await res.body.json()) as { error: string }).error).toMatch(/did not answer within 400 ms/);
  const r = await lens.waitForRecord((r) => r.path === '/api/show');
  expect(r).toMatchObject({ status: 'timeout', error_type: 'timeout', http_status: 504, model: 'm:latest' });
});

it('a stream that goes silent: the client sees the stream end, the record says timeout', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(line({ model: 'm', response: 'partial', done: false }));
  };
  const res = await request(`${lens.url}/api/generate`, {
    method: 'POST',
    body: '{"model":"m","prompt":"silent"}',
  });
  expect(res.statusCode).toBe(200);
  await expect(res.body.text()).rejects.toThrow();
  const r = await lens.waitForRecord((r) => r.prompt?.prompt === 'silent');
  expect(r).toMatchObject({ status: 'timeout', error_type: 'timeout' });
  expect(r.response?.content).toBe('partial');
});

it('a stream stays open as long as chunks keep coming, well past the idle timeout', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let n = 0;
    const t = setInterval(() => {
      if (n++ < 6) res.write(line({ model: 'm', response: `t${n}`, done: false }));
      else {
        clearInterval(t);
        res.end(
          line({
            model: 'm',
            response: '',
            done: true,
            done_reason: 'stop',
            eval_count: 6,
            prompt_eval_count: 2,
          })
        );
      }
    }, 200);
  };
  const res = await request(`${lens.url}/api/generate`, {
    method: 'POST',
    body: '{"model":"m","prompt":"slow"}',
  });
  const text = await res.body.text();
  expect(text.trim().split('\n')).toHaveLength(7);
  const r = await lens.waitForRecord((r) => r.prompt?.prompt === 'slow');
  expect(r.status).toBe('success');
  expect(r.duration_ms).toBeGreaterThan(1200);
});

it('an upstream that dies mid-stream: the client sees the break, the record says stream_error', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(line({ model: 'm', response: 'half', done: false }));
    setTimeout(() => res.socket?.destroy(), 50);
  };
  const res = await request(`${lens.url}/api/generate`, {
    method: 'POST',
    body: '{"model":"m","prompt":"crash"}',
  });
  await expect(res.body.text()).rejects.toThrow();
  const r = await lens.waitForRecord((r) => r.prompt?.prompt === 'crash');
  expect(r).toMatchObject({ status: 'error', error_type: 'stream_error' });
});

it('an error line inside a 200 stream is recorded as a stream error, and forwarded as is', async () => {
  const body =
    line({ model: 'm', response: 'a', done: false }) +
    line({ error: 'an error was encountered while running the model: boom' });
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(body);
  };
  const res = await request(`${lens.url}/api/chat`, {
    method: 'POST',
    body: '{"model":"m","messages":[{"role":"user","content":"err"}]}',
  });
  expect(await res.body.text()).toBe(body);
  const r = await lens.waitForRecord((r) => r.prompt?.messages?.[0]?.content === 'err');
  expect(r).toMatchObject({
    status: 'error',
    error_type: 'stream_error',
    error_message: 'an error was encountered while running the model: boom',
  });
});

it('forwards request headers (minus hop-by-hop ones) and response headers, including repeated ones', async () => {
  let seen: IncomingMessage['headers'] = {};
  handler = (req, res) => {
    seen = req.headers;
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.setHeader('x-upstream', 'yes');
    res.end('ok');
  };
  // node:http, because undici refuses to send connection-scoped headers at all.
  const res = await new Promise<{ headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    const req = httpRequest(`${lens.url}/api/custom?x=1&y=%20`, {
      headers: {
        'x-custom': 'value',
        authorization: 'Bearer abc',
        connection: 'keep-alive, x-drop',
        'x-drop': 'gone',
        'keep-alive': 'timeout=5',
      },
    });
    req.on('response', (r) => {
      let body = '';
      r.on('data', (c: Buffer) => (body += c));
      r.on('end', () => resolve({ headers: r.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
  expect(res.body).toBe('ok');
  expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  expect(res.headers['x-upstream']).toBe('yes');
  expect(seen['x-custom']).toBe('value');
  expect(seen.authorization).toBe('Bearer abc');
  expect(seen['x-drop']).toBeUndefined();
  expect(seen['keep-alive']).toBeUndefined();
  expect(seen.host).toBe(new URL(lens.app.services.config.upstream).host);
});

it('streams a large chunked request body up intact', async () => {
  let digest = '';
  handler = (req, res) => {
    const h = createHash('sha256');
    req.on('data', (c: Buffer) => h.update(c));
    req.on('end', () => {
      digest = h.digest('hex');
      res.end('{}');
    });
  };
  const payload = Buffer.alloc(3 * 1024 * 1024, 'abcdefgh');
  async function* chunks() {
    for (let i = 0; i < payload.length; i += 65536) yield payload.subarray(i, i + 65536);
  }
  const res = await request(`${lens.url}/api/blobs/sha256:x`, {
    method: 'POST',
    body: Readable.from(chunks()),
  });
  expect(res.statusCode).toBe(200);
  await res.body.text();
  expect(digest).toBe(createHash('sha256').update(payload).digest('hex'));
});

it('refuses a body over the limit with 413, before bothering Ollama', async () => {
  let called = false;
  handler = (_req, res) => {
    called = true;
    res.end();
  };
  const res = await request(`${lens.url}/api/generate`, {
    method: 'POST',
    body: Buffer.alloc(5 * 1024 * 1024),
  });
  expect(res.statusCode).toBe(413);
  expect(((await res.body.json()) as { error: string }).error).toMatch(/exceeds the sidecar's limit/);
  expect(called).toBe(false);
});
