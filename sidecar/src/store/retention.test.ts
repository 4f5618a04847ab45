import { RecordFactory } from '@ollama-lens/testkit/records';
import { rollupMismatches, tempStore, type TempStore } from '../../test/store/helpers';
import { DAY_MS } from './aggregate';
import { search } from './queries';
import { Retention } from './retention';

const NOW = 1_764_100_000_000;
let t: TempStore;

beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

describe('Retention', () => {
  test('by age: deletes exactly the messages older than retentionDays, in chunks', async () => {
    const f = new RecordFactory({ seed: 3, from: NOW - 10 * DAY_MS, to: NOW });
    const recs = Array.from({ length: 2500 }, () => f.next());
    t.add(recs);
    const deleted: number[] = [];
    const r = new Retention(t.store, { retentionDays: 7, maxDbMb: 0, onDeleted: (n) => deleted.push(n) });
    await r.runOnce(NOW);
    const cutoff = NOW - 7 * DAY_MS;
    const old = recs.filter((x) => x.started_at < cutoff).length;
    expect(old).toBeGreaterThan(500);
    expect(deleted).toEqual([old]);
    expect(t.store.count()).toBe(recs.length - old);
    expect(t.store.db.prepare('SELECT min(started_at) FROM messages').pluck().get()).toBeGreaterThanOrEqual(
      cutoff
    );
    t.store.db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 0)").run();
    expect(search(t.store, { q: 'the' }, 100).length).toBeGreaterThan(0);
  });

  test('by size: deletes the oldest messages until the data is under the limit', async () => {
    const f = new RecordFactory({ seed: 4, from: NOW - DAY_MS, to: NOW });
    const recs = Array.from({ length: 4000 }, () => f.next());
    t.add(recs);
    const before = t.store.usedBytes();
    const limitMb = Math.max(1, Math.floor(before / 1024 / 1024 / 2));
    expect(before).toBeGreaterThan(limitMb * 1024 * 1024);
    const r = new Retention(t.store, { retentionDays: 0, maxDbMb: limitMb });
    await r.runOnce(NOW);
    expect(t.store.usedBytes()).toBeLessThanOrEqual(limitMb * 1024 * 1024);
    const left = t.store.count();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(recs.length);
    // The survivors are the newest ones.
    const newest = [...recs]
      .sort((a, b) => b.started_at - a.started_at)
      .slice(0, left)
      .map((x) => x.started_at);
    expect(t.store.db.prepare('SELECT min(started_at) FROM messages').pluck().get()).toBe(
      Math.min(...newest)
    );
  });

  test('disabled by default values does nothing; start() with no limits never schedules', async () => {
    const f = new RecordFactory({ seed: 5, from: 0, to: 1000 });
    t.add(Array.from({ length: 10 }, () => f.next()));
    const r = new Retention(t.store, { retentionDays: 0, maxDbMb: 0 });
    expect(r.enabled).toBe(false);
    r.start();
    await r.runOnce(NOW);
    expect(t.store.count()).toBe(10);
    await r.stop();
  });

  test('the background timer runs a pass and stop() ends it', async () => {
    const f = new RecordFactory({ seed: 6, from: 0, to: 1000 });
    t.add(Array.from({ length: 10 }, () => f.next()));
    const r = new Retention(t.store, { retentionDays: 1, maxDbMb: 0, intervalMs: 20 });
    r.start();
    for (let i = 0; i < 100 && t.store.count() > 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(t.store.count()).toBe(0);
    await r.stop();
  });
});

test('retention keeps every rollup equal to what is left', async () => {
  const t2 = tempStore();
  try {
    const f = new RecordFactory({ seed: 9, from: NOW - 3 * DAY_MS, to: NOW });
    t2.add(Array.from({ length: 1500 }, () => f.next()));
    await new Retention(t2.store, { retentionDays: 1, maxDbMb: 0 }).runOnce(NOW);
    const sum = (sql: string) => t2.store.db.prepare(sql).pluck().get() as number;
    expect(sum('SELECT sum(messages) FROM rollup_total_day')).toBe(t2.store.count());
    expect(sum('SELECT min(t) FROM rollup_dims_hour')).toBe(
      Math.floor((sum('SELECT min(started_at) FROM messages') as number) / 3_600_000) * 3_600_000
    );
    expect(rollupMismatches(t2.store)).toEqual([]);
  } finally {
    t2.cleanup();
  }
});
