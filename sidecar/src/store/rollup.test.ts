import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MeasurementRecord } from '../tap/record';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { rollupMismatches, tempStore, type TempStore } from '../../test/store/helpers';
import { costOf } from '../metrics/cost';
import { canonicalModelName } from '../metrics/labels';
import { aggregations, currentStats, DAY_MS, history, SAMPLE_LIMIT } from './aggregate';
import { buildWhere, SORT_EXPRESSIONS } from './filters';
import { values } from './queries';
import { TIERS } from './measures';
import { segments } from './rollup';
import { CONTENT_COLUMNS, MESSAGE_COLUMNS, prepareRow } from './row';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';
import {
  addInto,
  bucketOf,
  encode,
  merge,
  newDense,
  quantiles,
  RELATIVE_ERROR,
  SparseSketch,
} from './sketch';
import { MessageStore } from './store';
import { SORTS } from '@ollama-lens/contracts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Not aligned to a minute, so every tier and both raw edges take part. */
const NOW = 1_764_100_000_000 + 37_123;
const PRICES = { '*': { input: 0.5, output: 1.5 } };

const isError = (r: MeasurementRecord) => r.status === 'error' || r.status === 'timeout';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const defined = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
const nearestRank = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] : null;
const within = (got: number | null, want: number | null) =>
  want === null ? got === null : got !== null && Math.abs(got - want) <= RELATIVE_ERROR * want + 1e-9;

describe('latency sketch', () => {
  test('percentiles are within the stated relative error of the exact nearest rank, across the range', () => {
    const r = (
      (s) => () =>
        ((s = (s * 16807) % 2147483647) - 1) / 2147483646
    )(42);
    for (const spread of [1, 3, 6, 9]) {
      const values = Array.from({ length: 5000 }, () => 0.02 * 10 ** (r() * spread));
      const d = newDense();
      for (const v of values) d[bucketOf(v)] += 1;
      const sorted = [...values].sort((a, b) => a - b);
      const ps = [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];
      quantiles(d, ps).forEach((got, i) => expect(within(got, nearestRank(sorted, ps[i]))).toBe(true));
    }
    expect(quantiles(newDense(), [0.5])).toEqual([null]);
  });

  test('merging encoded sketches adds counts; subtracting gives back the original; bad values never give a bad index', () => {
    const a = new SparseSketch();
    const b = new SparseSketch();
    [1, 2, 3, 500, 500, 1e6].forEach((v) => a.add(v));
    [2, 7, 1e12, -1, Number.NaN, 0].forEach((v) => b.add(v));
    const ab = merge(a.encode(), b.encode());
    const d = newDense();
    addInto(d, ab);
    expect(sum(Array.from(d))).toBe(12);
    expect(merge(ab, b.encode(), -1)).toEqual(a.encode());
    expect(merge(a.encode(), a.encode(), -1).length).toBe(0);
    expect(encode(d)).toEqual(ab);
  });
});

describe('segments', () => {
  test('cover the window exactly, each tier period whole and aligned, raw only at the partial-minute edges', () => {
    for (const [from, to] of [
      [NOW - DAY_MS, NOW],
      [NOW - 30 * DAY_MS - 123, NOW],
      [NOW - 59_000, NOW],
      [NOW - 2 * HOUR, NOW - HOUR + 1],
      [0, 1],
    ]) {
      const segs = segments(from, to);
      expect(segs[0].from).toBe(from);
      expect(segs[segs.length - 1].to).toBe(to);
      for (let i = 1; i < segs.length; i++) expect(segs[i].from).toBe(segs[i - 1].to);
      for (const s of segs) {
        if (s.tier) {
          expect(s.from % s.tier.ms).toBe(0);
          expect(s.to % s.tier.ms).toBe(0);
        } else {
          expect(s.to - s.from).toBeLessThan(MINUTE);
        }
      }
      // O(buckets): at most two partial runs per tier below the coarsest.
      expect(segs.length).toBeLessThanOrEqual(2 * TIERS.length + 1);
    }
  });
});

describe('aggregates from rollups agree with the same aggregates from the raw messages', () => {
  let t: TempStore;
  let records: MeasurementRecord[];
  beforeAll(() => {
    t = tempStore();
    // Three days of traffic in time order, as it arrives (inserts in batches, as the writer does).
    const f = new RecordFactory({
      seed: 5,
      from: NOW - 3 * DAY_MS,
      to: NOW,
      users: 60,
      ordered: { count: 12_000 },
      prices: PRICES,
    });
    records = Array.from({ length: 12_000 }, () => f.next());
    for (let i = 0; i < records.length; i += 700) t.add(records.slice(i, i + 700));
  });
  afterAll(() => t.cleanup());

  const windows: [string, number, number][] = [
    ['last 24 h', NOW - DAY_MS, NOW],
    ['previous day, unaligned', NOW - 2 * DAY_MS - 7_777, NOW - DAY_MS + 61_001],
    ['whole hours', Math.floor(NOW / HOUR) * HOUR - 5 * HOUR, Math.floor(NOW / HOUR) * HOUR],
    ['a few minutes', NOW - 7 * MINUTE - 1_234, NOW - 2_000],
    ['everything', NOW - 4 * DAY_MS, NOW + 1],
  ];
  const filterSets: [
    string,
    { model?: string[]; status?: string[]; category?: string[]; endpoint?: string },
  ][] = [
    ['no filter', {}],
    ['models and statuses', { model: ['llama3.2:3b', 'mistral:7b'], status: ['success', 'error'] }],
    ['category', { category: ['code'] }],
    ['endpoint', { endpoint: '/api/generate' }],
    // As requested, without its tag: the rollups hold the canonical name (nomic-embed-text:latest).
    ['a model as requested', { model: ['nomic-embed-text'] }],
  ];
  const match = (r: MeasurementRecord, x: (typeof filterSets)[number][1]) =>
    (!x.model || x.model.map(canonicalModelName).includes(r.model ?? '\u0000')) &&
    (!x.status || x.status.includes(r.status)) &&
    (!x.endpoint || r.endpoint === x.endpoint);

  test.each(windows)('%s: summary, breakdowns, histogram, series and stats', (_name, from, to) => {
    // The category is derived by the store (classify), so rows are matched on it through the store's own answer.
    const catOf = new Map(
      (
        t.store.db.prepare('SELECT id, category FROM messages').all() as { id: string; category: string }[]
      ).map((r) => [r.id, r.category])
    );
    for (const [, extra] of filterSets) {
      const a = aggregations(t.store, { from, to, ...extra }, { intervalS: 600 }, NOW);
      const rows = records.filter(
        (r) =>
          r.started_at >= from &&
          r.started_at < to &&
          match(r, extra) &&
          (!extra.category || extra.category.includes(catOf.get(r.id)!))
      );
      expect(a.sampled).toBe(false);
      expect(a.matched).toBe(rows.length);
      expect(a.summary.messages).toBe(rows.length);
      expect(a.summary.error_rate).toBe(rows.length ? rows.filter(isError).length / rows.length : null);
      expect(a.summary.unique_users).toBe(new Set(defined(rows.map((r) => r.user))).size);
      expect(a.summary.total_cost).toBeCloseTo(
        sum(defined(rows.map((r) => costOf(PRICES, r.model, r.input_tokens, r.output_tokens)))),
        9
      );
      const byModel = new Map<string | null, MeasurementRecord[]>();
      for (const r of rows) {
        const list = byModel.get(r.model ?? null);
        if (list) list.push(r);
        else byModel.set(r.model ?? null, [r]);
      }
      for (const b of a.breakdowns.model) {
        const rs = byModel.get(b.key)!;
        expect([b.messages, b.errors, b.input_tokens, b.output_tokens]).toEqual([
          rs.length,
          rs.filter(isError).length,
          sum(defined(rs.map((r) => r.input_tokens))),
          sum(defined(rs.map((r) => r.output_tokens))),
        ]);
      }
      expect(sum(a.breakdowns.status.map((b) => b.messages))).toBe(rows.length);
      expect(sum(a.latency_histogram.map((b) => b.count))).toBe(rows.length);
      const users = new Map<string | null, number>();
      for (const r of rows) users.set(r.user ?? null, (users.get(r.user ?? null) ?? 0) + 1);
      for (const b of a.breakdowns.user) expect(b.messages).toBe(users.get(b.key));
      // Per 10-minute bucket: counts and sums exactly, percentiles within the sketch's error.
      expect(sum(a.timeseries.map((p) => p.requests))).toBe(rows.length);
      const perBucket = new Map<number, MeasurementRecord[]>();
      for (const r of rows) {
        const k = Math.floor(r.started_at / 600_000) * 600_000;
        const list = perBucket.get(k);
        if (list) list.push(r);
        else perBucket.set(k, [r]);
      }
      for (const p of a.timeseries) {
        const b = perBucket.get(p.t) ?? [];
        expect([p.requests, p.errors, p.output_tokens]).toEqual([
          b.length,
          b.filter(isError).length,
          sum(defined(b.map((r) => r.output_tokens))),
        ]);
        const d = b.map((r) => r.duration_ms).sort((x, y) => x - y);
        expect(within(p.latency_p50_ms, nearestRank(d, 0.5))).toBe(true);
        expect(within(p.latency_p95_ms, nearestRank(d, 0.95))).toBe(true);
        expect(within(p.latency_p99_ms, nearestRank(d, 0.99))).toBe(true);
      }
      const s = currentStats(t.store, { from, to, ...extra }, 1, NOW);
      expect([s.total_requests, s.total_errors]).toEqual([rows.length, rows.filter(isError).length]);
      const h = history(t.store, { from, to, ...extra }, 3600, NOW);
      expect(sum(h.map((p) => p.requests_per_minute * 60))).toBeCloseTo(rows.length, 6);
    }
  });

  test('with a search term or a filter no rollup holds, the newest N matches are read and the response says so', () => {
    const from = NOW - DAY_MS;
    const all = aggregations(t.store, { from, to: NOW, min_latency_ms: 0 }, {}, NOW);
    const inWindow = records.filter((r) => r.started_at >= from && r.started_at < NOW);
    // Under the limit: every match read, nothing sampled, the same figures as the rollups give.
    expect(all.sampled).toBe(false);
    expect(all.matched).toBe(inWindow.length);
    expect(all.sample_size).toBeNull();
    expect(all.summary.messages).toBe(aggregations(t.store, { from, to: NOW }, {}, NOW).summary.messages);

    const limited = aggregations(t.store, { from, to: NOW, min_latency_ms: 0 }, { sampleLimit: 300 }, NOW);
    expect(limited.sampled).toBe(true);
    // A filter without an index of its own reads the window's newest messages: not counted beyond them.
    expect(limited.matched).toBeNull();
    expect(limited.sample_size).toBe(300);
    expect(limited.summary.messages).toBe(300);
    // The newest 300: the series only has requests in the window's last buckets.
    const newest = [...inWindow].sort((a, b) => b.started_at - a.started_at).slice(0, 300);
    const oldestShown = Math.min(...newest.map((r) => r.started_at));
    expect(limited.timeseries.filter((p) => p.requests > 0).every((p) => p.t + 600_000 > oldestShown)).toBe(
      true
    );
    expect(limited.scatter.length).toBeLessThanOrEqual(500);

    // A search term: matched counts the matches (all in the index, newest first).
    const word = 'customer';
    const hits = t.store.db
      .prepare(
        'SELECT count(*) FROM messages_fts f JOIN messages m ON m.seq = f.rowid WHERE messages_fts MATCH ? AND m.started_at >= ? AND m.started_at < ?'
      )
      .pluck()
      .get(`"${word}"`, from, NOW) as number;
    expect(hits).toBeGreaterThan(50);
    const searched = aggregations(t.store, { from, to: NOW, q: word }, { sampleLimit: 50 }, NOW);
    expect([searched.sampled, searched.matched, searched.sample_size, searched.summary.messages]).toEqual([
      true,
      hits,
      50,
      50,
    ]);
    const whole = aggregations(t.store, { from, to: NOW, q: word }, {}, NOW);
    expect([whole.sampled, whole.matched, whole.summary.messages]).toEqual([false, hits, hits]);
    expect(SAMPLE_LIMIT).toBeGreaterThan(hits);

    // A user filter reads the user's index: its matches are counted.
    const user = inWindow.find((r) => r.user !== undefined)!.user!;
    const ofUser = inWindow.filter((r) => r.user === user).length;
    expect(ofUser).toBeGreaterThan(5);
    const byUser = aggregations(t.store, { from, to: NOW, user }, { sampleLimit: 5 }, NOW);
    expect([byUser.sampled, byUser.matched, byUser.sample_size, byUser.summary.messages]).toEqual([
      true,
      ofUser,
      5,
      5,
    ]);
    expect(aggregations(t.store, { from, to: NOW, user }, {}, NOW).summary.messages).toBe(ofUser);

    // Model filter: exact from the rollups; the per-user parts come from the newest matches.
    const m = aggregations(t.store, { from, to: NOW, model: ['llama3.2:3b'] }, { sampleLimit: 10 }, NOW);
    expect(m.sampled).toBe(true);
    expect(m.matched).toBe(inWindow.filter((r) => r.model === 'llama3.2:3b').length);
    expect(m.summary.messages).toBe(m.matched);
  });

  test('variable values (models, users, categories) from the rollups equal those counted from the messages', () => {
    for (const dim of ['model', 'user', 'category'] as const) {
      for (const f of [
        {},
        { from: NOW - DAY_MS - 12_345, to: NOW },
        { model: ['mistral:7b'], from: NOW - 5 * HOUR },
      ]) {
        // min_latency_ms: 0 matches every message but no rollup holds it: the messages are counted.
        expect(values(t.store, dim, f)).toEqual(values(t.store, dim, { ...f, min_latency_ms: 0 }));
      }
    }
  });

  test('retention and deletes subtract from every rollup', () => {
    const t2 = tempStore();
    try {
      const f = new RecordFactory({ seed: 8, from: NOW - 2 * DAY_MS, to: NOW, ordered: { count: 3000 } });
      t2.add(Array.from({ length: 3000 }, () => f.next()));
      expect(rollupMismatches(t2.store)).toEqual([]);
      t2.store.deleteOlderChunk(NOW - DAY_MS - 12_345, 700);
      const some = t2.store.db
        .prepare('SELECT id FROM messages ORDER BY seq DESC LIMIT 3')
        .pluck()
        .all() as string[];
      for (const id of some) t2.store.deleteById(id);
      expect(rollupMismatches(t2.store)).toEqual([]);
      t2.store.deleteAll();
      expect(rollupMismatches(t2.store)).toEqual([]);
      expect(t2.store.db.prepare('SELECT count(*) FROM rollup_dims_minute').pluck().get()).toBe(0);
    } finally {
      t2.cleanup();
    }
  });
});

test('a version-1 store migrates in place: its messages stay, its rollups are backfilled', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-v1-'));
  try {
    const file = path.join(dir, 'v1.db');
    // Build the file exactly as a version-1 sidecar did: migration 1 only, rows written straight in.
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(MIGRATIONS[0]);
    db.pragma('user_version = 1');
    // The columns a version-1 file has (later migrations added the rest).
    const later = ['requested_model', 'input_cost', 'output_cost', 'host', 'origin'];
    const v1 = MESSAGE_COLUMNS.filter((c) => !later.includes(c));
    const cols = v1.map((c) => (c === 'user' ? '"user"' : c));
    const insert = db.prepare(
      `INSERT INTO messages (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`
    );
    const content = db.prepare(
      `INSERT INTO message_content (seq, ${CONTENT_COLUMNS.join(', ')}) VALUES (?, ${CONTENT_COLUMNS.map(() => '?').join(', ')})`
    );
    const fts = db.prepare('INSERT INTO messages_fts (rowid, prompt_text, response_text) VALUES (?, ?, ?)');
    const f = new RecordFactory({
      seed: 3,
      from: NOW - 2 * DAY_MS,
      to: NOW,
      ordered: { count: 2500 },
      prices: PRICES,
    });
    const records = Array.from({ length: 2500 }, () => f.next());
    db.transaction(() => {
      for (const r of records) {
        const row = prepareRow(r, { captureContent: true });
        const seq = Number(
          insert.run(v1.map((c) => row.message[MESSAGE_COLUMNS.indexOf(c)])).lastInsertRowid
        );
        content.run(seq, ...row.content);
        if (row.fts) fts.run(seq, row.fts[0], row.fts[1]);
      }
    })();
    db.close();

    const store = new MessageStore(file);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.count()).toBe(records.length);
      expect(rollupMismatches(store)).toEqual([]);
      const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).not.toContain('rollup_hour');
      const a = aggregations(store, {}, {}, NOW);
      expect(a.summary.messages).toBe(
        records.filter((r) => r.started_at >= NOW - DAY_MS && r.started_at < NOW).length
      );
      expect(a.sampled).toBe(false);
      // New rows keep the backfilled rollups in step.
      store.insert([
        prepareRow(f.next({ id: 'after-migration', started_at: NOW - 1000 }), { captureContent: true }),
      ]);
      expect(rollupMismatches(store)).toEqual([]);
    } finally {
      store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every sort the table offers has an index that reads a wide window in order (no sort step)', () => {
  const t = tempStore();
  try {
    for (const sort of SORTS) {
      for (const dir of ['ASC', 'DESC']) {
        const where = buildWhere({ from: NOW - DAY_MS, to: NOW }, [], {}, { timeUnindexed: sort !== 'time' });
        const key = SORT_EXPRESSIONS[sort];
        const plan = t.store.db
          .prepare(
            `EXPLAIN QUERY PLAN SELECT m.seq FROM messages m ${where.sql} ORDER BY ${key} ${dir}, m.seq ${dir} LIMIT 26`
          )
          .all(...where.params) as { detail: string }[];
        const text = plan.map((p) => p.detail).join('; ');
        expect(`${sort} ${dir}: ${text}`).not.toMatch(/TEMP B-TREE/);
      }
    }
  } finally {
    t.cleanup();
  }
});
