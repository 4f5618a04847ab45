/**
 * The PostgreSQL store through real sidecars in front of the real Ollama, on a real PostgreSQL 15:
 * two sidecars sharing one database each serve both's messages and the host filter tells them apart;
 * and fail-open: with the database stopped mid-traffic every request still succeeds, the records that
 * could not be written are counted as drops, and once it is back the same sidecar writes again.
 */
import { request } from 'undici';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startPostgres, type PostgresServer } from '@ollama-lens/testkit/postgres';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { parseExposition, value } from '../metrics/exposition-reader';
import { send } from './traffic';

jest.setTimeout(180_000);

let pg: PostgresServer;
const open: TestSidecar[] = [];

beforeAll(async () => {
  pg = await startPostgres();
});

afterAll(async () => {
  for (const s of open) await s.close();
  await pg?.close();
});

async function sidecar(instance: string): Promise<TestSidecar> {
  const s = await startSidecar(testOllamaUrl(), ['--db', pg.url, '--instance', instance, '--batch-ms', '20']);
  open.push(s);
  await s.app.services.store!.whenReady();
  return s;
}

/** One short generation through the sidecar; returns the stored message's id. */
async function generate(s: TestSidecar, n: number): Promise<string> {
  const [model] = testOllamaModels();
  const sent = await send(s.url, '/api/generate', {
    model,
    prompt: `Count to ${n}.`,
    stream: false,
    options: { num_predict: 4, seed: n },
  });
  expect({ n, status: sent.status }).toEqual({ n, status: 200 });
  return sent.id;
}

async function messageIds(s: TestSidecar, query = ''): Promise<{ status: number; ids: string[] }> {
  const res = await request(`${s.adminUrl}/analytics/messages?limit=100${query}`);
  const body = (await res.body.json()) as { messages?: { id: string }[] };
  return { status: res.statusCode, ids: (body.messages ?? []).map((m) => m.id) };
}

/** Polls until `check` passes (the writer batches every 20 ms; a batch against a stopped server waits for its timeout). */
async function eventually(check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

test('two sidecars write to one PostgreSQL: each serves both servers’ messages, the host filter separates them', async () => {
  const east = await sidecar('east');
  const west = await sidecar('west');
  const eastIds = [await generate(east, 1), await generate(east, 2)];
  const westIds = [await generate(west, 3), await generate(west, 4), await generate(west, 5)];
  const all = [...eastIds, ...westIds].sort();
  for (const s of [east, west]) {
    await eventually(async () => expect((await messageIds(s)).ids.sort()).toEqual(all));
    expect((await messageIds(s, '&host=east')).ids.sort()).toEqual([...eastIds].sort());
    expect((await messageIds(s, '&host=west')).ids.sort()).toEqual([...westIds].sort());
  }
  const hosts = await request(`${east.adminUrl}/analytics/hosts`);
  expect(hosts.statusCode).toBe(200);
  expect(JSON.stringify(await hosts.body.json())).toMatch(/east[\s\S]*west|west[\s\S]*east/);
});

test('fail-open: PostgreSQL stopped mid-traffic costs counted drops, never a request; writes resume when it is back', async () => {
  const s = await sidecar('failover');
  const before = await generate(s, 10);
  await eventually(async () => expect((await messageIds(s)).ids).toContain(before));

  await pg.stop();
  const lost: string[] = [];
  for (let n = 11; n < 14; n++) lost.push(await generate(s, n));
  await eventually(async () =>
    expect(s.app.services.store!.stats.dropped.store_error).toBeGreaterThanOrEqual(lost.length)
  );
  const metrics = parseExposition(await (await request(`${s.adminUrl}/metrics`)).body.text());
  expect(value(metrics, 'ollama_store_dropped_total', { reason: 'store_error' })).toBeGreaterThanOrEqual(
    lost.length
  );
  // The analytics API answers (503, JSON) instead of hanging while the database is away.
  const down = await messageIds(s);
  expect(down.status).toBe(503);

  await pg.start();
  const after = [await generate(s, 20), await generate(s, 21)];
  await eventually(async () => {
    const { ids } = await messageIds(s);
    expect(ids).toEqual(expect.arrayContaining([before, ...after]));
    for (const id of lost) expect(ids).not.toContain(id);
  });
});
