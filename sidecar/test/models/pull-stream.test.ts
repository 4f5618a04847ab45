/**
 * The pull action's progress stream, against a scripted upstream (a real pull cannot reach a registry
 * here; the real Ollama's refusal is tested in models-api.test.ts). The upstream sends each progress
 * line only once the test has received the previous one through the sidecar, so a relay that
 * collected lines would stall; and it notices when its request is closed, so the test sees a client
 * that leaves cancel the pull upstream.
 */
import {
  ACTIONS_TOKEN_HEADER,
  MESSAGE_ID_HEADER,
  MODELS_API,
  type PullProgressLine,
} from '@ollama-lens/contracts';
import { LoopbackServer, readBody } from '@ollama-lens/testkit/http';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request } from 'undici';

jest.setTimeout(60_000);

const LAYER = 'sha256:' + 'ab'.repeat(32);
const CONFIG = 'sha256:' + 'cd'.repeat(32);
const TOTAL = 1_000_000;

/** Ollama's progress lines for a two-layer pull, as it sends them. */
const SCRIPT: PullProgressLine[] = [
  { status: 'pulling manifest' },
  { status: `pulling ${LAYER.slice(7, 19)}`, digest: LAYER, total: TOTAL },
  { status: `pulling ${LAYER.slice(7, 19)}`, digest: LAYER, total: TOTAL, completed: 250_000 },
  { status: `pulling ${LAYER.slice(7, 19)}`, digest: LAYER, total: TOTAL, completed: TOTAL },
  { status: `pulling ${CONFIG.slice(7, 19)}`, digest: CONFIG, total: 485, completed: 485 },
  { status: 'verifying sha256 digest' },
  { status: 'writing manifest' },
  { status: 'success' },
];

/** Answers /api/pull line by line, each when the test allows it; the pollers' reads with empty state. */
class ScriptedPull extends LoopbackServer {
  bodies: unknown[] = [];
  /** Resolves when the pull's request was closed before its last line. */
  aborted!: Promise<void>;
  private allow: (() => void)[] = [];
  private gates: Promise<void>[] = [];

  constructor() {
    super();
    this.reset();
  }

  reset(): void {
    this.allow = [];
    this.gates = SCRIPT.map(() => new Promise<void>((r) => this.allow.push(r)));
  }

  /** Lets line `i` go out. */
  release(i: number): void {
    this.allow[i]?.();
  }

  protected override fail(res: ServerResponse, err: Error): void {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: err.message }));
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method === 'POST' && req.url === '/api/pull') {
      this.bodies.push(JSON.parse(body.toString('utf8')));
      let markAborted!: () => void;
      this.aborted = new Promise((r) => (markAborted = r));
      res.on('close', () => {
        if (!res.writableEnded) markAborted();
      });
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < SCRIPT.length; i++) {
        await this.gates[i];
        if (res.destroyed) return;
        res.write(`${JSON.stringify(SCRIPT[i])}\n`);
      }
      res.end();
      return;
    }
    const state: Record<string, unknown> = { '/api/version': { version: '0.0.0' } };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(state[req.url ?? ''] ?? { models: [] }));
  }
}

let upstream: ScriptedPull;
/** The test's own client, closed before the sidecar (see pull()). */
const client = new Agent();
let sidecar: TestSidecar;

beforeAll(async () => {
  upstream = new ScriptedPull();
  sidecar = await startSidecar(await upstream.start(), ['--actions-token', 'act']);
});

afterAll(async () => {
  await client.close();
  await sidecar?.close();
  await upstream?.stop();
});

/** Starts a pull through the sidecar and returns its response and a reader of its lines, one at a time. */
async function pull(signal?: AbortSignal) {
  // After an aborted request undici opens a fresh connection and leaves it unused; the sidecar's shutdown
  // would wait for it, so the test's client is its own and is closed first.
  const res = await request(`${sidecar.adminUrl}${MODELS_API.actions.pull}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [ACTIONS_TOKEN_HEADER]: 'act' },
    body: JSON.stringify({ model: 'library/tiny:1b', insecure: true }),
    signal,
    dispatcher: client,
  });
  const chunks = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let pending = '';
  const nextLine = async (): Promise<PullProgressLine | null> => {
    for (;;) {
      const nl = pending.indexOf('\n');
      if (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        return JSON.parse(line) as PullProgressLine;
      }
      const { done, value } = await chunks.next();
      if (done) return null;
      pending += value.toString('utf8');
    }
  };
  const header = (name: string) => {
    const v = res.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return { status: res.statusCode, header, nextLine };
}

describe('pull progress', () => {
  it('arrives line by line as Ollama sends it (each line reaches the client before the next is sent)', async () => {
    upstream.reset();
    upstream.release(0);
    const { status, header, nextLine } = await pull();
    expect(status).toBe(200);
    expect(header('content-type')).toBe('application/x-ndjson');
    const id = header(MESSAGE_ID_HEADER);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const received: PullProgressLine[] = [];
    for (let i = 0; i < SCRIPT.length; i++) {
      // Line i+1 is held upstream until line i has come through: a buffering relay would wait forever.
      const line = await nextLine();
      expect(line).toEqual(SCRIPT[i]);
      received.push(line!);
      upstream.release(i + 1);
    }
    expect(await nextLine()).toBeNull();
    expect(received.filter((l) => l.digest === LAYER).map((l) => l.completed)).toEqual([
      undefined,
      250_000,
      TOTAL,
    ]);
    // What Ollama got: the model and the option, streamed.
    expect(upstream.bodies.at(-1)).toEqual({ model: 'library/tiny:1b', stream: true, insecure: true });
    // Through the proxy: measured and stored like any pull, and an event.
    const record = await sidecar.waitForRecord((r) => r.id === id);
    expect(record).toMatchObject({ endpoint: '/api/pull', status: 'success', model: 'library/tiny:1b' });
  });

  it('closing the request cancels the pull upstream', async () => {
    upstream.reset();
    upstream.release(0);
    upstream.release(1);
    const ac = new AbortController();
    const { header, nextLine } = await pull(ac.signal);
    const id = header(MESSAGE_ID_HEADER);
    expect(await nextLine()).toEqual(SCRIPT[0]);
    expect(await nextLine()).toEqual(SCRIPT[1]);
    ac.abort();
    // The upstream sees its request closed while lines 2… are still held.
    await expect(
      Promise.race([
        upstream.aborted.then(() => 'aborted'),
        new Promise((r) => setTimeout(() => r('still open'), 10_000)),
      ])
    ).resolves.toBe('aborted');
    const record = await sidecar.waitForRecord((r) => r.id === id);
    expect(record).toMatchObject({ endpoint: '/api/pull', status: 'cancelled' });
  });
});
