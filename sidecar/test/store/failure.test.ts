/**
 * A failing store never fails a request: a read-only database file and a full disk (simulated with
 * SQLite's max_page_count) through the real sidecar and Ollama. Requests answer exactly as Ollama
 * does; the store counts what it dropped and /readyz says it is not ready.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { storeOf } from '../../src/store/plugin';
import { prepareRow } from '../../src/store/row';
import { MessageStore } from '../../src/store/store';
import { testOllamaModels, testOllamaUrl } from '../harness/env';
import { startSidecar, type TestSidecar } from '../helpers/sidecar';
import { RecordFactory } from './records';
import { round, send } from './traffic';

async function readyz(sidecar: TestSidecar) {
  const res = await request(`${sidecar.adminUrl}/readyz`);
  return {
    status: res.statusCode,
    body: (await res.body.json()) as { checks: Record<string, { ok: boolean; detail?: unknown }> },
  };
}

/** Every request of a traffic round answers as Ollama itself does (status and, when deterministic, body). */
async function expectRequestsUnaffected(sidecar: TestSidecar) {
  const [model, model2] = testOllamaModels();
  let sent = 0;
  for (const [p, body, headers] of round(model, model2, 1)) {
    const via = await send(sidecar.url, p, body, headers);
    const direct = await send(testOllamaUrl(), p, body, headers);
    expect({ p, status: via.status }).toEqual({ p, status: direct.status });
    if (via.status === 200) expect(via.body.length).toBeGreaterThan(0);
    else expect(via.body).toBe(direct.body);
    sent++;
  }
  return sent;
}

async function waitFor(cond: () => boolean, what: () => string, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('full disk (max_page_count): requests succeed, batches are dropped and counted, the store recovers', async () => {
  const sidecar = await startSidecar(testOllamaUrl(), ['--batch-ms', '20']);
  try {
    const handle = storeOf(sidecar.app.services)!;
    const db = handle.store!.db;
    // The file may not grow any more, and the free space left in its pages is used up first, so the
    // very next write needs a new page: a disk that is full now.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    const filler = new RecordFactory({ seed: 2 });
    const fill = (capture: boolean) =>
      expect(() => {
        for (;;)
          handle.store!.insert([
            prepareRow(filler.next({ chunks: undefined }), { captureContent: capture, prices: {} }),
          ]);
      }).toThrow(/database or disk is full/);
    // Big rows first, then metadata-only rows into whatever space is left.
    fill(true);
    fill(false);
    const before = handle.store!.count();
    let sent = await expectRequestsUnaffected(sidecar);
    // A page with a little room left may still take a small row; a long prompt needs new pages for sure.
    const [model] = testOllamaModels();
    const big = await send(sidecar.url, '/api/generate', {
      model,
      stream: false,
      options: { num_predict: 5 },
      prompt: 'lorem ipsum '.repeat(2000),
    });
    expect(big.status).toBe(200);
    sent++;
    const stats = handle.writer.stats;
    // Every record is either written or counted as dropped: none disappears silently.
    await waitFor(
      () => stats.written + stats.dropped.store_error === sent,
      () => `${sent} records accounted for; stats ${JSON.stringify(stats)}`
    );
    expect(stats.dropped.store_error).toBeGreaterThanOrEqual(1);
    expect(stats).toMatchObject({ queueDepth: 0, dropped: { queue_full: 0 } });
    expect(handle.store!.count()).toBe(before + stats.written);
    expect(handle.store!.db.prepare('SELECT count(*) FROM messages WHERE id = ?').pluck().get(big.id)).toBe(
      0
    );
    const r = await readyz(sidecar);
    expect(r.status).toBe(503);
    expect(r.body.checks.store.ok).toBe(false);
    expect(JSON.stringify(r.body.checks.store.detail)).toMatch(/database or disk is full/);
    expect(r.body.checks.upstream.ok).toBe(true);
    // The analytics API still reads what is there.
    expect((await request(`${sidecar.adminUrl}/analytics/messages`)).statusCode).toBe(200);

    db.pragma('max_page_count = 1073741823');
    const writtenBefore = stats.written;
    await send(sidecar.url, '/api/tags', undefined);
    await waitFor(
      () => stats.written === writtenBefore + 1,
      () => 'the next write'
    );
    expect((await readyz(sidecar)).status).toBe(200);
  } finally {
    await sidecar.close();
  }
});

describe('read-only database file', () => {
  let dir: string;
  let file: string;
  let immutable = false;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-ro-'));
    file = path.join(dir, 'lens.db');
    // An existing store with one message, as a previous run left it.
    const store = new MessageStore(file);
    store.insert([
      prepareRow(new RecordFactory({ seed: 1 }).next({ id: 'old-one' }), {
        captureContent: true,
        prices: {},
      }),
    ]);
    store.close();
    // Root ignores file permissions: make the file immutable instead (chattr), else read-only mode.
    if (process.getuid?.() === 0) {
      execFileSync('chattr', ['+i', file]);
      immutable = true;
    } else {
      fs.chmodSync(file, 0o444);
    }
  });
  afterAll(() => {
    if (immutable) execFileSync('chattr', ['-i', file]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the file really cannot be written', () => {
    expect(() => fs.appendFileSync(file, 'x')).toThrow(/EPERM|EACCES/);
  });

  test('requests succeed, every record is a counted store error, readiness says why', async () => {
    const sidecar = await startSidecar(testOllamaUrl(), ['--batch-ms', '20', '--db', file]);
    try {
      const handle = storeOf(sidecar.app.services)!;
      const sent = await expectRequestsUnaffected(sidecar);
      await waitFor(
        () => handle.writer.stats.dropped.store_error === sent,
        () => `${sent} store errors; stats ${JSON.stringify(handle.writer.stats)}`
      );
      expect(handle.writer.stats.written).toBe(0);
      const r = await readyz(sidecar);
      expect(r.status).toBe(503);
      expect(r.body.checks.store.ok).toBe(false);
      expect(JSON.stringify(r.body.checks.store.detail)).toMatch(
        /readonly|read-only|unable to open|not permitted/i
      );
      // What was stored before is still readable.
      const list = await request(`${sidecar.adminUrl}/analytics/messages`);
      expect(list.statusCode).toBe(200);
      expect(((await list.body.json()) as { messages: { id: string }[] }).messages.map((m) => m.id)).toEqual([
        'old-one',
      ]);
    } finally {
      await sidecar.close();
    }
  });
});
