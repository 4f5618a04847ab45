/**
 * Durability of the message store in the real sidecar process (src/main.ts) under load from the real
 * Ollama: SIGTERM drains and flushes, so every answered request is stored; SIGKILL can lose only the
 * records of the last batch window (committed batches survive: WAL).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { spawnSidecarProcess, type SidecarProcess } from '@ollama-lens/testkit/sidecar';

/** The real sidecar process in front of the shared Ollama, logging at info, storing in `db`. */
function spawnSidecar(db: string, flags: string[]): Promise<SidecarProcess> {
  return spawnSidecarProcess(testOllamaUrl(), ['--db', db, '--log-level', 'info', ...flags]);
}

interface Done {
  id: string;
  at: number;
}

/**
 * Clients sending requests until the sidecar stops answering; `done` gets every fully answered one.
 * When they stop they also hang up their keep-alive connections, as departing clients do (the server
 * otherwise waits for those idle connections before it can finish closing).
 */
function load(url: string, workers: number, body: () => unknown, path: string, done: Done[]): Promise<void> {
  const agent = new Agent();
  const worker = async () => {
    for (;;) {
      try {
        const res = await request(url + path, {
          method: 'POST',
          body: JSON.stringify(body()),
          headers: { 'content-type': 'application/json' },
          dispatcher: agent,
        });
        const text = await res.body.text();
        if (res.statusCode !== 200) return;
        if (!text.includes('"done":true')) throw new Error(`incomplete answer: ${text.slice(-200)}`);
        done.push({ id: String(res.headers['x-ollama-lens-id']), at: Date.now() });
      } catch (err) {
        const code = (err as { code?: string }).code;
        // The sidecar is gone or closing: this client is done.
        if (
          code === 'ECONNREFUSED' ||
          code === 'ECONNRESET' ||
          code === 'UND_ERR_SOCKET' ||
          code === 'UND_ERR_CLOSED'
        )
          return;
        throw err;
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, worker))
    .then(() => undefined)
    .finally(() => agent.close());
}

function storedIds(db: string): Set<string> {
  const conn = new Database(db, { readonly: true });
  try {
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    return new Set(conn.prepare('SELECT id FROM messages').pluck().all() as string[]);
  } finally {
    conn.close();
  }
}

async function until(cond: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-shutdown-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('SIGTERM during load: in-flight requests finish and every answered request is stored', async () => {
  const [model] = testOllamaModels();
  const db = path.join(dir, 'lens.db');
  // A long batch window: without the flush on shutdown, the last records would certainly be lost.
  const s = await spawnSidecar(db, ['--batch-ms', '5000']);
  const done: Done[] = [];
  let n = 0;
  const clients = load(
    s.url,
    3,
    () => ({ model, stream: true, prompt: `count to ${n++}`, options: { num_predict: 12 } }),
    '/api/generate',
    done
  );
  await until(() => done.length >= 3, 30_000);
  expect(done.length).toBeGreaterThanOrEqual(3);
  const termAt = Date.now();
  s.proc.kill('SIGTERM');
  await clients;
  const exit = await s.exited;
  expect({ exit, logs: exit.code === 0 ? '' : s.logs() }).toEqual({
    exit: { code: 0, signal: null },
    logs: '',
  });
  // Three clients were busy at the signal: their requests were answered after it, not cut off.
  expect(done.filter((d) => d.at > termAt).length).toBeGreaterThanOrEqual(1);
  const ids = storedIds(db);
  const missing = done.filter((d) => !ids.has(d.id));
  expect(missing).toEqual([]);
  expect(ids.size).toBeGreaterThanOrEqual(done.length);
}, 90_000);

test('SIGKILL during load: only the last batch window can be lost', async () => {
  const [model] = testOllamaModels();
  const db = path.join(dir, 'lens.db');
  const batchMs = 300;
  const s = await spawnSidecar(db, ['--batch-ms', String(batchMs)]);
  const done: Done[] = [];
  const clients = load(
    s.url,
    2,
    () => ({ model, stream: false, prompt: 'hello', options: { num_predict: 4 } }),
    '/api/generate',
    done
  );
  await until(() => done.length >= 10, 30_000);
  // Keep the load going across a few batch windows before the kill.
  await new Promise((r) => setTimeout(r, 3 * batchMs));
  const killedAt = Date.now();
  s.proc.kill('SIGKILL');
  await clients;
  expect((await s.exited).signal).toBe('SIGKILL');
  const ids = storedIds(db);
  // Answered more than one batch window before the kill (plus a little scheduling slack for two busy
  // cores): stored. Answered later: may be lost, and nothing else is.
  const slackMs = 200;
  const old = done.filter((d) => d.at < killedAt - batchMs - slackMs);
  expect(old.length).toBeGreaterThanOrEqual(8);
  expect(old.filter((d) => !ids.has(d.id))).toEqual([]);
  const lost = done.filter((d) => !ids.has(d.id));
  expect(lost.every((d) => d.at >= killedAt - batchMs - slackMs)).toBe(true);
}, 90_000);
