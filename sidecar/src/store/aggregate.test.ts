import type { MeasurementRecord } from '../tap/record';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { tempStore, type TempStore } from '../../test/store/helpers';
import {
  aggregations,
  currentStats,
  dataSummary,
  DAY_MS,
  HISTOGRAM_EDGES_MS,
  history,
  MAX_BUCKETS,
  resolveInterval,
  SCATTER_MAX,
} from './aggregate';
import { RELATIVE_ERROR } from './sketch';
import { classify } from './classify';
import { costOf } from '../metrics/cost';

const HOUR = 3600_000;
const NOW = 1_764_100_000_000;
const PRICES = { '*': { input: 0.5, output: 1.5 } };

let t: TempStore;
let records: MeasurementRecord[];

beforeAll(() => {
  t = tempStore();
  // Two days of traffic: the current 24 h window and the previous one.
  const f = new RecordFactory({ seed: 11, from: NOW - 2 * DAY_MS, to: NOW, users: 30, prices: PRICES });
  records = Array.from({ length: 3000 }, () => f.next());
  t.add(records);
});
afterAll(() => t.cleanup());

const isError = (r: MeasurementRecord) => r.status === 'error' || r.status === 'timeout';
const inWindow = (from: number, to: number) =>
  records.filter((r) => r.started_at >= from && r.started_at < to);
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const defined = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);

function figures(rows: MeasurementRecord[]) {
  return {
    messages: rows.length,
    unique_users: new Set(defined(rows.map((r) => r.user))).size,
    avg_input_tokens: avg(defined(rows.map((r) => r.input_tokens))),
    avg_output_tokens: avg(defined(rows.map((r) => r.output_tokens))),
    total_cost: sum(defined(rows.map((r) => costOf(PRICES, r.model, r.input_tokens, r.output_tokens)))),
    error_rate: rows.length ? rows.filter(isError).length / rows.length : null,
  };
}

function expectFigures(got: Record<string, number | null>, want: Record<string, number | null>) {
  for (const [k, v] of Object.entries(want)) {
    if (v === null) expect(got[k]).toBeNull();
    else expect(got[k]).toBeCloseTo(v, 9);
  }
}

describe('aggregations', () => {
  test('summary over the default window (last 24 h) with the previous window and the change', () => {
    const a = aggregations(t.store, {}, {}, NOW);
    const cur = figures(inWindow(NOW - DAY_MS, NOW));
    const prev = figures(inWindow(NOW - 2 * DAY_MS, NOW - DAY_MS));
    expect(cur.messages).toBeGreaterThan(1000);
    expectFigures(a.summary as unknown as Record<string, number>, cur);
    expectFigures(a.summary.previous as unknown as Record<string, number>, prev);
    expect(a.summary.change.messages).toBeCloseTo((cur.messages - prev.messages) / prev.messages, 12);
    expect(a.summary.change.total_cost).toBeCloseTo((cur.total_cost - prev.total_cost) / prev.total_cost, 9);
  });

  test('the change is null when the previous window is empty', () => {
    const a = aggregations(t.store, { from: NOW - 2 * DAY_MS, to: NOW }, {}, NOW);
    expect(a.summary.messages).toBe(records.length);
    expect(a.summary.previous.messages).toBe(0);
    expect(a.summary.previous.error_rate).toBeNull();
    expect(Object.values(a.summary.change).every((v) => v === null)).toBe(true);
  });

  test('time series: zero-filled buckets, exact sums and percentiles within the sketch error per bucket', () => {
    const from = NOW - 6 * HOUR;
    const a = aggregations(t.store, { from, to: NOW, model: ['llama3.2:3b'] }, { intervalS: 1800 }, NOW);
    // Buckets are aligned to the epoch: a window that is not aligned has a partial first and last bucket.
    const first = Math.floor(from / 1800_000) * 1800_000;
    const starts: number[] = [];
    for (let b = first; b < NOW; b += 1800_000) starts.push(b);
    expect(starts).toHaveLength(13);
    expect(a.timeseries.map((p) => p.t)).toEqual(starts);
    const rows = inWindow(from, NOW).filter((r) => r.model === 'llama3.2:3b');
    expect(sum(a.timeseries.map((p) => p.requests))).toBe(rows.length);
    for (const p of a.timeseries) {
      const b = rows.filter((r) => Math.floor(r.started_at / 1800_000) * 1800_000 === p.t);
      expect(p.requests).toBe(b.length);
      expect(p.errors).toBe(b.filter(isError).length);
      expect(p.input_tokens).toBe(sum(defined(b.map((r) => r.input_tokens))));
      expect(p.output_tokens).toBe(sum(defined(b.map((r) => r.output_tokens))));
      const d = b.map((r) => r.duration_ms).sort((x, y) => x - y);
      const rank = (q: number) => (d.length ? d[Math.max(1, Math.ceil(q * d.length)) - 1] : null);
      // Percentiles come from merged log-bucket sketches: within RELATIVE_ERROR of the exact nearest rank.
      for (const [got, q] of [
        [p.latency_p50_ms, 0.5],
        [p.latency_p95_ms, 0.95],
        [p.latency_p99_ms, 0.99],
      ] as const) {
        const want = rank(q);
        if (want === null) expect(got).toBeNull();
        else expect(Math.abs(got! - want)).toBeLessThanOrEqual(RELATIVE_ERROR * want + 1e-9);
      }
    }
  });

  test('default interval keeps to about 200 buckets; too fine an interval is widened to at most MAX_BUCKETS', () => {
    expect(aggregations(t.store, {}, { include: ['timeseries'] }, NOW).timeseries.length).toBeLessThanOrEqual(
      201
    );
    expect(resolveInterval({ from: 0, to: 3600_000 }, undefined)).toBe(30_000);
    expect(resolveInterval({ from: 0, to: 30 * DAY_MS }, undefined)).toBe(6 * 3600_000);
    const fine = aggregations(t.store, { from: NOW - 30 * DAY_MS, to: NOW }, { intervalS: 1 }, NOW);
    expect(fine.timeseries.length).toBeLessThanOrEqual(MAX_BUCKETS + 1);
    expect(sum(fine.timeseries.map((p) => p.requests))).toBe(inWindow(NOW - 30 * DAY_MS, NOW).length);
    // Widened to the rollups' units: whole minutes, hours, days; sub-minute only over an hour at most.
    expect(resolveInterval({ from: 0, to: 30 * DAY_MS }, 1)).toBe(HOUR);
    expect(resolveInterval({ from: 0, to: 3000 * DAY_MS }, 1)).toBe(7 * DAY_MS);
    expect(resolveInterval({ from: 0, to: DAY_MS }, 90)).toBe(2 * 60_000);
    expect(resolveInterval({ from: 0, to: DAY_MS }, 5400)).toBe(2 * HOUR);
    expect(resolveInterval({ from: 0, to: 3 * HOUR }, 10)).toBe(60_000);
    expect(resolveInterval({ from: 0, to: HOUR }, 10)).toBe(10_000);
    for (const bad of [Number.NaN, Infinity, -5, 0, 2 ** 60]) {
      const ms = resolveInterval({ from: 0, to: 2 ** 52 }, bad);
      expect(Number.isSafeInteger(ms)).toBe(true);
      expect(Math.ceil(2 ** 52 / ms)).toBeLessThanOrEqual(MAX_BUCKETS);
    }
    expect(() => aggregations(t.store, { from: NOW, to: NOW - 1 }, {}, NOW)).toThrow(/must be before/);
  });

  test('breakdowns by model, category, status and user', () => {
    const a = aggregations(t.store, {}, { include: ['breakdowns'] }, NOW);
    const rows = inWindow(NOW - DAY_MS, NOW);
    const dims = {
      model: (r: MeasurementRecord) => r.model ?? null,
      category: (r: MeasurementRecord) => classify(r.prompt),
      status: (r: MeasurementRecord) => r.status,
      user: (r: MeasurementRecord) => r.user ?? null,
    };
    for (const [dim, keyOf] of Object.entries(dims) as [
      keyof typeof dims,
      (r: MeasurementRecord) => string | null,
    ][]) {
      const buckets = a.breakdowns[dim];
      expect(sum(buckets.map((b) => b.messages))).toBe(rows.length);
      for (const b of buckets) {
        const g = rows.filter((r) => keyOf(r) === b.key);
        expect(b.messages).toBe(g.length);
        expect(b.errors).toBe(g.filter(isError).length);
        expect(b.input_tokens).toBe(sum(defined(g.map((r) => r.input_tokens))));
        expect(b.output_tokens).toBe(sum(defined(g.map((r) => r.output_tokens))));
        expect(b.avg_latency_ms).toBeCloseTo(avg(g.map((r) => r.duration_ms))!, 6);
        expect(b.cost).toBeCloseTo(
          sum(defined(g.map((r) => costOf(PRICES, r.model, r.input_tokens, r.output_tokens)))),
          9
        );
      }
      const counts = buckets.map((b) => b.messages);
      expect([...counts].sort((x, y) => y - x)).toEqual(counts);
    }
    expect(a.breakdowns.user.some((b) => b.key === null)).toBe(true);
    // Parts not asked for come back empty.
    expect(a.timeseries).toEqual([]);
    expect(a.scatter).toEqual([]);
  });

  test('latency histogram: fixed edges, each message in exactly one bin', () => {
    const a = aggregations(t.store, {}, { include: ['latency_histogram'] }, NOW);
    const rows = inWindow(NOW - DAY_MS, NOW);
    expect(a.latency_histogram.map((b) => b.le_ms)).toEqual([...HISTOGRAM_EDGES_MS, null]);
    let lower = -Infinity;
    for (const bin of a.latency_histogram) {
      const upper = bin.le_ms ?? Infinity;
      expect(bin.count).toBe(rows.filter((r) => r.duration_ms > lower && r.duration_ms <= upper).length);
      lower = upper;
    }
    expect(sum(a.latency_histogram.map((b) => b.count))).toBe(rows.length);
    expect(a.latency_histogram.filter((b) => b.count > 0).length).toBeGreaterThan(4);
  });

  test('scatter: a bounded, deterministic sample of the filtered messages', () => {
    const a = aggregations(t.store, {}, { include: ['scatter'] }, NOW);
    const rows = inWindow(NOW - DAY_MS, NOW);
    expect(rows.length).toBeGreaterThan(SCATTER_MAX);
    expect(a.scatter.length).toBeLessThanOrEqual(SCATTER_MAX);
    expect(a.scatter.length).toBeGreaterThan(SCATTER_MAX / 3);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const p of a.scatter) {
      const r = byId.get(p.id)!;
      expect(r).toBeDefined();
      expect(p).toEqual({
        id: r.id,
        input_tokens: r.input_tokens ?? null,
        output_tokens: r.output_tokens ?? null,
        duration_ms: r.duration_ms,
        cost: costOf(PRICES, r.model, r.input_tokens, r.output_tokens) ?? null,
        model: r.model ?? null,
      });
    }
    expect(aggregations(t.store, {}, { include: ['scatter'] }, NOW).scatter).toEqual(a.scatter);
    const small = aggregations(
      t.store,
      { model: ['phi4:14b'], from: NOW - HOUR, to: NOW },
      { include: ['scatter'] },
      NOW
    );
    expect(small.scatter).toHaveLength(
      inWindow(NOW - HOUR, NOW).filter((r) => r.model === 'phi4:14b').length
    );
  });

  test('a search that can match nothing gives empty aggregations, not an error', () => {
    const a = aggregations(t.store, { q: '🙂' }, {}, NOW);
    expect(a.summary.messages).toBe(0);
    expect(a.timeseries.every((p) => p.requests === 0)).toBe(true);
    expect(a.latency_histogram.every((b) => b.count === 0)).toBe(true);
    expect(a.scatter).toEqual([]);
  });
});

test('whole hours from the rollup and edges from the messages give exactly the raw answer', () => {
  // min_latency_ms: 0 selects every message but is not a rollup filter, so it forces the raw path.
  for (const [from, to] of [
    [NOW - DAY_MS, NOW],
    [NOW - 47 * HOUR + 123_456, NOW - 3 * HOUR - 7],
    [Math.floor(NOW / HOUR) * HOUR - 5 * HOUR, Math.floor(NOW / HOUR) * HOUR],
  ]) {
    for (const extra of [
      {},
      { model: ['llama3.2:3b', 'mistral:7b'], status: ['success', 'error'] },
      { category: ['code'] },
    ]) {
      const viaRollup = aggregations(
        t.store,
        { from, to, ...extra },
        { include: ['summary', 'breakdowns', 'latency_histogram'] },
        NOW
      );
      const viaRaw = aggregations(
        t.store,
        { from, to, ...extra, min_latency_ms: 0 },
        { include: ['summary', 'breakdowns', 'latency_histogram'] },
        NOW
      );
      expect(viaRollup.summary.messages).toBeGreaterThan(0);
      expect(viaRollup.summary.messages).toBe(viaRaw.summary.messages);
      expect(viaRollup.latency_histogram).toEqual(viaRaw.latency_histogram);
      for (const dim of ['model', 'category', 'status', 'user'] as const) {
        expect(
          viaRollup.breakdowns[dim].map((b) => [b.key, b.messages, b.errors, b.input_tokens, b.output_tokens])
        ).toEqual(
          viaRaw.breakdowns[dim].map((b) => [b.key, b.messages, b.errors, b.input_tokens, b.output_tokens])
        );
      }
      expect(viaRollup.summary.total_cost).toBeCloseTo(viaRaw.summary.total_cost, 9);
      expect(viaRollup.summary.avg_input_tokens).toBeCloseTo(viaRaw.summary.avg_input_tokens!, 9);
      expect(viaRollup.summary.previous.messages).toBe(viaRaw.summary.previous.messages);
    }
  }
});

describe('stats', () => {
  test('current stats over the window', () => {
    const s = currentStats(t.store, {}, 123.4, NOW);
    const rows = inWindow(NOW - DAY_MS, NOW);
    expect(s.total_requests).toBe(rows.length);
    expect(s.total_tokens).toBe(sum(rows.map((r) => (r.input_tokens ?? 0) + (r.output_tokens ?? 0))));
    expect(s.total_errors).toBe(rows.filter(isError).length);
    expect(s.avg_latency_ms).toBeCloseTo(avg(rows.map((r) => r.duration_ms))!, 6);
    expect(new Set(s.models_in_use)).toEqual(new Set(defined(rows.map((r) => r.model))));
    expect(s.uptime_seconds).toBe(123);
  });

  test('history: per-bucket rates', () => {
    const from = NOW - 2 * HOUR;
    const h = history(t.store, { from, to: NOW }, 600, NOW);
    expect(h).toHaveLength(NOW % 600_000 === 0 ? 12 : 13);
    const rows = inWindow(from, NOW);
    for (const p of h) {
      const start = Date.parse(p.timestamp);
      const b = rows.filter((r) => r.started_at >= start && r.started_at < start + 600_000);
      expect(p.requests_per_minute).toBeCloseTo(b.length / 10, 9);
      expect(p.tokens_per_second).toBeCloseTo(sum(defined(b.map((r) => r.output_tokens))) / 600, 9);
      expect(p.error_rate).toBe(b.length ? b.filter(isError).length / b.length : null);
    }
  });

  test('data summary', () => {
    const s = dataSummary(t.store);
    expect(s.messages).toBe(records.length);
    expect(s.oldest).toBe(Math.min(...records.map((r) => r.started_at)));
    expect(s.newest).toBe(Math.max(...records.map((r) => r.started_at)));
    expect(s.db_bytes).toBeGreaterThan(100_000);
  });
});
