/**
 * A failing store never fails a request: a read-only database file and a full disk (a real, small
 * tmpfs filled to the last byte) through the real sidecar and Ollama. Requests answer exactly as
 * Ollama does; the store counts what it dropped and /readyz says the store is degraded (the proxy
 * stays ready: it forwards).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { prepareRow } from '../../src/store/row';
import { MessageStore } from '../../src/store/store';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { smallDisk } from '@ollama-lens/testkit/small-disk';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { round, send, settle } from './traffic';

const TOKEN = 'failure-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };

async function readyz(sidecar: TestSidecar) {
  const res = await request(`${sidecar.adminUrl}/readyz`, { headers: AUTH });
  return {
    status: res.statusCode,
    body: (await res.body.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; detail?: unknown }>;
    },
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

test('full disk (a real ENOSPC): requests succeed, records are dropped and counted, the store recovers', async () => {
  const disk = smallDisk(24);
  const sidecar = await startSidecar(testOllamaUrl(), [
    '--batch-ms',
    '20',
    '--admin-token',
    TOKEN,
    '--db',
    path.join(disk.dir, 'lens.db'),
  ]);
  try {
    const store = sidecar.app.services.store!;
    let sent = await expectRequestsUnaffected(sidecar);
    await settle(sidecar, sent);
    const before = store.stats.written;
    expect(before).toBe(sent);
    disk.fill();
    sent += await expectRequestsUnaffected(sidecar);
    // A long prompt needs new pages for sure, whatever room the last pages had.
    const [model] = testOllamaModels();
    const big = await send(sidecar.url, '/api/generate', {
      model,
      stream: false,
      options: { num_predict: 5 },
      prompt: 'lorem ipsum '.repeat(3000),
    });
    expect(big.status).toBe(200);
    sent++;
    await settle(sidecar, sent);
    const stats = store.stats;
    // Every record is either written or counted as dropped: none disappears silently.
    expect(stats.written + stats.dropped.store_error).toBe(sent);
    expect(stats.dropped.store_error).toBeGreaterThanOrEqual(1);
    expect(stats).toMatchObject({ queueDepth: 0, dropped: { queue_full: 0 } });
    const r = await readyz(sidecar);
    // Still ready: it forwards perfectly. The store's trouble is visible, not fatal.
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('degraded');
    expect(r.body.checks.store.ok).toBe(false);
    expect(JSON.stringify(r.body.checks.store.detail)).toMatch(/database or disk is full/);
    expect(r.body.checks.upstream.ok).toBe(true);
    // The analytics API still reads what is there, and the big one is not among it.
    const found = await request(`${sidecar.adminUrl}/analytics/messages/${big.id}`, { headers: AUTH });
    expect(found.statusCode).toBe(404);
    await found.body.dump();

    disk.free();
    const writtenBefore = store.stats.written;
    await send(sidecar.url, '/api/tags', undefined);
    await settle(sidecar, sent + 1);
    expect(store.stats.written).toBe(writtenBefore + 1);
    expect((await readyz(sidecar)).body.status).toBe('ready');
  } finally {
    await sidecar.close();
    disk.unmount();
  }
}, 180_000);

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
      prepareRow(new RecordFactory({ seed: 1 }).next({ id: 'old-one' }), { captureContent: true }),
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
    const sidecar = await startSidecar(testOllamaUrl(), [
      '--batch-ms',
      '20',
      '--db',
      file,
      '--admin-token',
      TOKEN,
    ]);
    try {
      const store = sidecar.app.services.store!;
      const sent = await expectRequestsUnaffected(sidecar);
      await settle(sidecar, sent);
      expect(store.stats.dropped.store_error).toBe(sent);
      expect(store.stats.written).toBe(0);
      const r = await readyz(sidecar);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('degraded');
      expect(r.body.checks.store.ok).toBe(false);
      expect(JSON.stringify(r.body.checks.store.detail)).toMatch(
        /readonly|read-only|unable to open|not permitted/i
      );
      // What was stored before is still readable.
      const list = await request(`${sidecar.adminUrl}/analytics/messages`, { headers: AUTH });
      expect(list.statusCode).toBe(200);
      expect(((await list.body.json()) as { messages: { id: string }[] }).messages.map((m) => m.id)).toEqual([
        'old-one',
      ]);
    } finally {
      await sidecar.close();
    }
  });
});
