/**
 * The store's threads through the real sidecar in front of the real Ollama: forwarding never waits for
 * an analytics query, a query past its budget or whose reader dies is answered with a JSON error (the
 * reader replaced and counted), and a writer thread killed mid-load loses at most what it had in flight.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { MessageStore } from '../../src/store/store';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { parseExposition, value } from '../metrics/exposition-reader';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';

const ROWS = 300_000;
const DAY_MS = 86_400_000;
let dir: string;
let bigDb: string;
const now = Date.now();

/**
 * A store with ROWS metadata-only messages over the last day, written by SQLite itself (a recursive
 * CTE: seconds, where the record path would take minutes). Queries that read every row of a window
 * (a filter no index serves) take hundreds of milliseconds on it.
 */
function bigStore(file: string): void {
  const store = new MessageStore(file);
  store.db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
    INSERT INTO messages (id, started_at, ended_at, duration_ms, method, path, endpoint, flavor, stream, status,
      http_status, request_bytes, response_bytes, category, token_source, capture_content, redacted, model, user)
    SELECT 'gen-' || i, ${now - DAY_MS} + i * ${Math.floor(DAY_MS / ROWS)}, ${now - DAY_MS} + i * ${Math.floor(DAY_MS / ROWS)} + 50,
      50 + (i % 1000), 'POST', '/api/generate', '/api/generate', 'ollama', 0, 'success', 200, 100, 200, 'chat',
      'ollama', 0, 0, 'm' || (i % 5), 'u' || (i % 5000) FROM n`);
  store.close();
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-threads-'));
  bigDb = path.join(dir, 'big.db');
  bigStore(bigDb);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function getJson(url: string): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await request(url);
  const body = (await res.body.json()) as unknown;
  return { status: res.statusCode, body, ms: performance.now() - t0 };
}

async function metrics(sidecar: TestSidecar) {
  const res = await request(`${sidecar.adminUrl}/metrics`);
  return parseExposition(await res.body.text());
}

/**
 * A page that reads every row of the window in an index's order: a filter no index serves (no message
 * went to /v1/models), sorted by user, so the walk through the user index never fills its page.
 */
const slowQuery = (s: TestSidecar) =>
  `${s.adminUrl}/analytics/messages?endpoint=${encodeURIComponent('/v1/models')}&sort=user&from=${now - DAY_MS}&to=${now + 1}`;

test('proxied requests complete promptly while slow analytics queries run', async () => {
  const sidecar = await startSidecar(testOllamaUrl(), ['--db', bigDb, '--query-timeout-ms', '60000']);
  try {
    const store = sidecar.app.services.store!;
    // Both readers kept busy with full-window reads, more waiting behind them.
    const slow = Array.from({ length: 16 }, () => getJson(slowQuery(sidecar)));
    const until = Date.now() + 30_000;
    while (store.readers.busy < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));

    const [model] = testOllamaModels();
    const proxied: { ms: number; busyAtStart: number; busyAtEnd: number }[] = [];
    const timed = async (send: () => Promise<number>) => {
      const busyAtStart = store.readers.busy;
      const t0 = performance.now();
      expect(await send()).toBe(200);
      proxied.push({ ms: performance.now() - t0, busyAtStart, busyAtEnd: store.readers.busy });
    };
    for (let i = 0; i < 5; i++) {
      await timed(async () => {
        const res = await request(`${sidecar.url}/api/version`);
        await res.body.json();
        return res.statusCode;
      });
    }
    await timed(async () => {
      const res = await request(`${sidecar.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model, prompt: 'hi', stream: false, options: { num_predict: 2 } }),
      });
      await res.body.json();
      return res.statusCode;
    });
    // Every version call ran start to end while both readers were busy with a slow query… (the
    // generate runs the model, which may outlast the queries on a busy machine: it only has to succeed)
    for (const p of proxied.slice(0, 5))
      expect({ busyAtStart: p.busyAtStart, busyAtEnd: p.busyAtEnd }).toEqual({
        busyAtStart: 2,
        busyAtEnd: 2,
      });
    // …and none waited for one (the version calls; the generate runs the model).
    expect(Math.max(...proxied.slice(0, 5).map((p) => p.ms))).toBeLessThan(250);

    const results = await Promise.all(slow);
    for (const r of results) expect(r.status).toBe(200);
    // The queries really were slow: each took longer than any proxied version call.
    expect(Math.min(...results.map((r) => r.ms))).toBeGreaterThan(
      Math.max(...proxied.slice(0, 5).map((p) => p.ms))
    );
  } finally {
    await sidecar.close();
  }
}, 120_000);

test('a query past its budget is stopped with a JSON error; a new reader serves the next one', async () => {
  const sidecar = await startSidecar(testOllamaUrl(), ['--db', bigDb, '--query-timeout-ms', '100']);
  try {
    const r = await getJson(slowQuery(sidecar));
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: expect.stringMatching(/ran past its 100 ms budget and was stopped/) });
    expect(
      value(await metrics(sidecar), 'ollama_store_thread_restarts_total', {
        thread: 'reader',
        reason: 'timeout',
      })
    ).toBe(1);
    const page = await getJson(`${sidecar.adminUrl}/analytics/messages?limit=10`);
    expect(page.status).toBe(200);
    expect((page.body as { messages: unknown[] }).messages).toHaveLength(10);
    // The proxy never noticed.
    expect((await request(`${sidecar.url}/api/version`)).statusCode).toBe(200);
  } finally {
    await sidecar.close();
  }
}, 60_000);

test('a reader thread that dies mid-query fails that query alone; a new reader serves the next one', async () => {
  const sidecar = await startSidecar(testOllamaUrl(), ['--db', bigDb, '--query-timeout-ms', '60000']);
  try {
    const store = sidecar.app.services.store!;
    const slow = getJson(slowQuery(sidecar));
    const until = Date.now() + 30_000;
    // The sidecar's own reads at start (the status line, the last start's settings) may run too: kill the slow query's reader.
    while (store.readers.busyThreadsForTests('listMessages').length < 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 2));
    await store.readers.busyThreadsForTests('listMessages')[0].terminate();
    const r = await slow;
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: expect.stringMatching(/reader thread stopped while answering/) });
    expect(
      value(await metrics(sidecar), 'ollama_store_thread_restarts_total', {
        thread: 'reader',
        reason: 'crash',
      })
    ).toBe(1);
    expect((await getJson(`${sidecar.adminUrl}/analytics/messages?limit=10`)).status).toBe(200);
    expect((await request(`${sidecar.url}/api/version`)).statusCode).toBe(200);
  } finally {
    await sidecar.close();
  }
}, 60_000);

test('killing the writer thread mid-load loses at most its in-flight records; the restart is counted', async () => {
  const sidecar = await startSidecar(testOllamaUrl(), [
    '--db',
    path.join(dir, 'kill.db'),
    '--batch-ms',
    '200',
  ]);
  try {
    const store = sidecar.app.services.store!;
    const send = async () => {
      const res = await request(`${sidecar.url}/api/tags`);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    };
    let sent = 0;
    const load = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await send();
        sent++;
      }
    };
    await Promise.all([load(100), load(100)]);
    await store.flush();
    expect(store.stats.written).toBe(200);
    // Mid-load: records are queued in the thread (its 200 ms batch window) when it dies.
    const more = Promise.all([load(100), load(100)]);
    while (sent < 300) await new Promise((r) => setTimeout(r, 1));
    const inFlightAtKill = store.stats.queueDepth;
    await store.writer.threadForTests!.terminate();
    await more;
    await sidecar.waitForRecord(() => sidecar.records.length >= 400);
    await store.writer.whenReady();
    await store.flush();
    const s = store.stats;
    // Nothing vanished: every record is written or counted as dropped.
    expect(s.written + s.dropped.store_error).toBe(400);
    // At most what the thread held uncommitted (plus what arrived between reading that and the kill).
    expect(s.dropped.store_error).toBeLessThanOrEqual(inFlightAtKill + 20);
    expect(
      value(await metrics(sidecar), 'ollama_store_thread_restarts_total', {
        thread: 'writer',
        reason: 'crash',
      })
    ).toBe(1);
    // The new thread writes: the last request is stored.
    const last = sidecar.records[sidecar.records.length - 1];
    expect((await getJson(`${sidecar.adminUrl}/analytics/messages/${last.id}`)).status).toBe(200);
  } finally {
    await sidecar.close();
  }
}, 120_000);
