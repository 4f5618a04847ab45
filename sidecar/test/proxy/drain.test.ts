/**
 * A bounded drain. On shutdown, in-flight requests may finish for up to --drain-timeout-ms; then the
 * rest are cut, recorded as ended by shutdown, and nothing already answered is lost. A stand-in upstream
 * plays the stream that never ends (a real Ollama cannot be made to on demand).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { spawnSidecarProcess, startSidecar, type SidecarProcess } from '@ollama-lens/testkit/sidecar';

const line = (o: object) => JSON.stringify(o) + '\n';

/** /api/generate: prompt "forever" streams a token every 100 ms until the connection closes; "hold"
 * never answers at all; anything else gets a short complete stream after 300 ms. */
function standIn(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const prompt = (JSON.parse(body || '{}') as { prompt?: string }).prompt;
    if (prompt === 'hold') return;
    if (prompt === 'forever') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const t = setInterval(() => res.write(line({ model: 'm', response: 'x', done: false })), 100);
      res.on('close', () => clearInterval(t));
      return;
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(
        line({ model: 'm', response: 'ok', done: false }) +
          line({
            model: 'm',
            response: '',
            done: true,
            done_reason: 'stop',
            eval_count: 1,
            prompt_eval_count: 1,
          })
      );
    }, 300);
  });
}

let server: Server;
let upstream: string;
beforeAll(async () => {
  server = createServer(standIn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstream = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const generate = (base: string, prompt: string) =>
  request(`${base}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', prompt }),
  });

/** Resolves once `base` has started streaming the "forever" answer; the body is read on in the background. */
async function startEndless(base: string): Promise<{ ended: Promise<string> }> {
  const res = await generate(base, 'forever');
  expect(res.statusCode).toBe(200);
  const ended = (async () => {
    try {
      for await (const chunk of res.body) void chunk;
      return 'complete';
    } catch {
      return 'broken';
    }
  })();
  return { ended };
}

it('close() waits for what can finish, cuts the rest at the deadline, and records both', async () => {
  const drainMs = 1000;
  const lens = await startSidecar(upstream, ['--store', 'false', '--drain-timeout-ms', String(drainMs)]);
  const endless = await startEndless(lens.url);
  const waiting = generate(lens.url, 'hold');
  const quick = generate(lens.url, 'quick');
  await new Promise((r) => setTimeout(r, 100)); // all three reached the upstream

  const t0 = performance.now();
  await lens.close();
  const closeMs = performance.now() - t0;
  expect(closeMs).toBeGreaterThanOrEqual(drainMs - 50);
  expect(closeMs).toBeLessThan(drainMs + 2000);

  // Answered during the drain: complete, and recorded as such.
  const q = await quick;
  expect(q.statusCode).toBe(200);
  expect(await q.body.text()).toContain('"done":true');
  expect(lens.records.find((r) => r.prompt?.prompt === 'quick')).toMatchObject({ status: 'success' });
  // Streaming at the deadline: the client sees the stream break, the record says shutdown.
  expect(await endless.ended).toBe('broken');
  const cut = lens.records.find((r) => r.prompt?.prompt === 'forever');
  expect(cut).toMatchObject({ status: 'cancelled', error_type: 'cancelled', http_status: 200 });
  expect(cut?.error_message).toMatch(/^ended by shutdown/);
  expect(cut?.response?.content).toMatch(/^x+$/);
  // Still waiting for Ollama's headers at the deadline: a 503 that says why, recorded as shutdown.
  const w = await waiting;
  expect(w.statusCode).toBe(503);
  expect(((await w.body.json()) as { error: string }).error).toMatch(/shutting down/);
  expect(lens.records.find((r) => r.prompt?.prompt === 'hold')).toMatchObject({
    status: 'cancelled',
    http_status: 503,
    error_message: expect.stringMatching(/^ended by shutdown/),
  });
  expect(lens.records).toHaveLength(3);
}, 30_000);

it('close() returns as soon as everything finished, well before the deadline', async () => {
  const lens = await startSidecar(upstream, ['--store', 'false', '--drain-timeout-ms', '60000']);
  const quick = generate(lens.url, 'quick');
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  await lens.close();
  expect(performance.now() - t0).toBeLessThan(3000);
  expect((await quick).statusCode).toBe(200);
  expect(lens.records.map((r) => r.status)).toEqual(['success']);
});

it('SIGTERM on the real process: exits within the bound, the cut stream and the answered request are stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-drain-'));
  const db = join(dir, 'lens.db');
  const drainMs = 1500;
  let sidecar: SidecarProcess | undefined;
  try {
    // A long batch window: the records must be flushed by the shutdown, not by the timer.
    sidecar = await spawnSidecarProcess(upstream, [
      '--db',
      db,
      '--drain-timeout-ms',
      String(drainMs),
      '--batch-ms',
      '10000',
    ]);
    const { proc, url } = sidecar;
    const before = await generate(url, 'answered before');
    const beforeId = String(before.headers['x-ollama-lens-id']);
    await before.body.text();
    const endless = await startEndless(url);
    const during = generate(url, 'answered during the drain');
    await new Promise((r) => setTimeout(r, 100));

    const t0 = performance.now();
    proc.kill('SIGTERM');
    const { code } = await sidecar.exited;
    const exitMs = performance.now() - t0;
    expect({ code, log: code === 0 ? '' : sidecar.logs() }).toEqual({ code: 0, log: '' });
    expect(exitMs).toBeLessThan(drainMs + 5000);
    expect(await endless.ended).toBe('broken');
    const d = await during;
    expect(d.statusCode).toBe(200);
    const duringId = String(d.headers['x-ollama-lens-id']);
    await d.body.text();
    expect(sidecar.logs()).toMatch(/drain timeout passed/);

    const conn = new Database(db, { readonly: true });
    try {
      const rows = conn
        .prepare('SELECT id, status, error_message FROM messages ORDER BY started_at')
        .all() as { id: string; status: string; error_message: string | null }[];
      expect(rows).toHaveLength(3);
      expect(rows.find((r) => r.id === beforeId)?.status).toBe('success');
      expect(rows.find((r) => r.id === duringId)?.status).toBe('success');
      const cut = rows.find((r) => r.id !== beforeId && r.id !== duringId);
      expect(cut).toMatchObject({
        status: 'cancelled',
        error_message: expect.stringMatching(/^ended by shutdown/),
      });
    } finally {
      conn.close();
    }
  } finally {
    if (sidecar?.proc.exitCode === null) sidecar.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
