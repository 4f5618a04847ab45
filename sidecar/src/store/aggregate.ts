import { buildWhere, planSearch } from './filters';
import {
  BIN_COUNT,
  BUCKET_MEASURES,
  type BucketMeasure,
  HISTOGRAM_EDGES_MS,
  type Measure,
  MEASURES,
  measuresOf,
} from './measures';
import { distinctUsers, hasDimFilter, readRollup, rollupCompatible, type RolledRow } from './rollup';
import { toFtsQuery } from './search-query';
import { bucketOf, type Dense, newDense, quantiles } from './sketch';
import type { MessageStore } from './store';
import type {
  Aggregations,
  BreakdownDimension,
  Bucket,
  CurrentStats,
  DataSummary,
  HistogramBin,
  HistoryPoint,
  MessageFilters,
  ScatterPoint,
  Summary,
  SummaryChange,
  SummaryFigures,
  TimeseriesPoint,
} from '@ollama-lens/contracts';

/**
 * The Explorer's aggregations over the filtered window, at a cost set by what is asked, not by
 * what is stored:
 *
 * - Filters the rollups hold (time, model, status, category, endpoint): every figure comes from the
 *   minute/hour/day rollups plus the partial minutes at the window's ends (rollup.ts), so it is
 *   exact and costs O(buckets). Time-series percentiles come from merged latency sketches
 *   (sketch.ts: within 2 % of the exact nearest-rank value). Unique users and the user breakdown
 *   come from the per-user rollup with time-only filters; with a model, status, category or
 *   endpoint filter they are computed from the newest SAMPLE_LIMIT matching messages.
 * - Anything else (a search term, user, session, token or latency ranges): every figure is computed
 *   from the newest SAMPLE_LIMIT matching messages. The response says so: `sampled` is true when
 *   more messages matched than were read, `matched` counts the matches when known.
 *
 * A panel that needs one part asks for just it (`include`).
 */

export { HISTOGRAM_EDGES_MS };
export const DAY_MS = 24 * 3600 * 1000;
export const SCATTER_MAX = 500;
/** Instants the scatter probes, spread evenly over the window (then thinned to SCATTER_MAX). */
export const SCATTER_PROBES = 2 * SCATTER_MAX;
export const BREAKDOWN_LIMIT = 50;
/** The most buckets any time series has: a finer interval is widened to fit. */
export const MAX_BUCKETS = 1000;
/** Messages read, newest first, when the rollups cannot answer a filter set. */
export const SAMPLE_LIMIT = 20_000;
/** Counting the matches stops here (matched is then null: "more than this"). */
export const MATCH_COUNT_LIMIT = 1_000_000;
const TARGET_BUCKETS = 200;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Below a minute, buckets are read from the messages, so only over a window up to this long. */
const SUB_MINUTE_MAX_SPAN_MS = HOUR_MS;
/** Bucket widths (seconds) the default interval picks from. */
const NICE_INTERVALS_S = [
  1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
  2592000,
];

export const AGGREGATION_PARTS = [
  'summary',
  'timeseries',
  'breakdowns',
  'latency_histogram',
  'scatter',
] as const;
export type AggregationPart = (typeof AGGREGATION_PARTS)[number];

export class RangeError400 extends Error {}

export interface Window {
  from: number;
  to: number;
}

/** from/to default to the last 24 hours (to = now). */
export function resolveWindow(f: MessageFilters, now = Date.now()): Window {
  const to = f.to ?? (f.from !== undefined ? Math.max(now, f.from + 1) : now);
  const from = f.from ?? to - DAY_MS;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
    throw new RangeError400(`from and to must be whole epoch milliseconds, got ${from} and ${to}`);
  }
  if (from >= to) throw new RangeError400(`from (${from}) must be before to (${to})`);
  return { from, to };
}

/**
 * The bucket width in ms: the given interval, or the smallest nice one giving ≤ ~200 buckets. Never
 * fails and never gives more than MAX_BUCKETS buckets: a finer interval is widened to the smallest
 * nice one that fits. It is
 * also rounded up to what the rollups serve (whole minutes from 1 min, whole hours from 1 h, whole
 * days from 1 day; below a minute only over a window of at most an hour, else 1 min), so a series
 * always costs O(buckets). An invalid interval (not a number ≥ 1 s) gets the default.
 */
export function resolveInterval(w: Window, intervalS: number | undefined): number {
  const span = Math.max(1, w.to - w.from);
  let ms: number;
  if (intervalS !== undefined && Number.isFinite(intervalS) && intervalS >= 1) {
    ms = Math.min(Math.round(intervalS * 1000), Number.MAX_SAFE_INTEGER);
  } else {
    const nice = NICE_INTERVALS_S.find((s) => span / (s * 1000) <= TARGET_BUCKETS);
    ms = nice !== undefined ? nice * 1000 : Math.ceil(span / TARGET_BUCKETS / DAY_MS) * DAY_MS;
  }
  const least = Math.ceil(span / MAX_BUCKETS);
  if (ms < least) {
    const nice = NICE_INTERVALS_S.find((s) => s * 1000 >= least);
    ms = nice !== undefined ? nice * 1000 : least;
  }
  if (ms < MINUTE_MS && span > SUB_MINUTE_MAX_SPAN_MS) ms = MINUTE_MS;
  // Inlined into SQL (integer division by a bound double would not bucket), so always an integer.
  const unit = ms >= DAY_MS ? DAY_MS : ms >= HOUR_MS ? HOUR_MS : ms >= MINUTE_MS ? MINUTE_MS : 1000;
  ms = Math.ceil(ms / unit) * unit;
  return Math.min(ms, Math.floor(Number.MAX_SAFE_INTEGER / DAY_MS) * DAY_MS);
}

/** Bucket starts covering the window; bounded by MAX_BUCKETS (+1 for an unaligned start). */
function bucketStarts(w: Window, intervalMs: number): number[] {
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) return [];
  const first = Math.floor(w.from / intervalMs) * intervalMs;
  const out: number[] = [];
  for (let t = first; t < w.to && out.length <= MAX_BUCKETS; t += intervalMs) out.push(t);
  return out;
}

export function previousWindow(w: Window): Window {
  return { from: w.from - (w.to - w.from), to: w.from };
}

// ---------------------------------------------------------------------------------------------
// The measures every part is derived from, whichever way they were read.

export type Totals = Record<Measure, number>;
export const zeroTotals = (): Totals => Object.fromEntries(MEASURES.map((m) => [m, 0])) as Totals;

/** Measures per (model, category, status). */
export interface GroupRow {
  model: string | null;
  category: string;
  status: string;
  t: Totals;
}

export type UserRow = { user: string | null } & Record<BucketMeasure, number>;

export interface SeriesCell {
  requests: number;
  errors: number;
  in_sum: number;
  out_sum: number;
  dur_sum: number;
  sketch: Dense | null;
}

export function total(rows: readonly GroupRow[]): Totals {
  const t = zeroTotals();
  for (const g of rows) for (const m of MEASURES) t[m] += g.t[m];
  return t;
}

export const EMPTY_FIGURES: SummaryFigures = {
  messages: 0,
  unique_users: 0,
  avg_input_tokens: null,
  avg_output_tokens: null,
  total_cost: 0,
  error_rate: null,
};

export function figuresFrom(t: Totals, users: number): SummaryFigures {
  if (t.messages === 0) return EMPTY_FIGURES;
  return {
    messages: t.messages,
    unique_users: users,
    avg_input_tokens: t.in_n > 0 ? t.in_sum / t.in_n : null,
    avg_output_tokens: t.out_n > 0 ? t.out_sum / t.out_n : null,
    total_cost: t.cost,
    error_rate: t.errors / t.messages,
  };
}

const relChange = (cur: number | null, prev: number | null): number | null =>
  cur === null || prev === null || prev === 0 ? null : (cur - prev) / prev;

export function summaryFrom(current: SummaryFigures, previous: SummaryFigures): Summary {
  const change: SummaryChange = {
    messages: relChange(current.messages, previous.messages),
    unique_users: relChange(current.unique_users, previous.unique_users),
    avg_input_tokens: relChange(current.avg_input_tokens, previous.avg_input_tokens),
    avg_output_tokens: relChange(current.avg_output_tokens, previous.avg_output_tokens),
    total_cost: relChange(current.total_cost, previous.total_cost),
    error_rate: relChange(current.error_rate, previous.error_rate),
  };
  return { ...current, previous, change };
}

export function bucketOfTotals(key: string | null, t: Record<BucketMeasure, number>): Bucket {
  return {
    key,
    messages: t.messages,
    errors: t.errors,
    input_tokens: t.in_sum,
    output_tokens: t.out_sum,
    avg_latency_ms: t.messages > 0 ? t.dur_sum / t.messages : null,
    cost: t.cost,
  };
}

/** Folds the grouped rows into one dimension's buckets, most messages first (ties by key, nulls first). */
export function bucketsFrom(rows: readonly GroupRow[], dim: 'model' | 'category' | 'status'): Bucket[] {
  const byKey = new Map<string | null, GroupRow[]>();
  for (const g of rows) {
    const list = byKey.get(g[dim]);
    if (list) list.push(g);
    else byKey.set(g[dim], [g]);
  }
  return topBuckets([...byKey.entries()].map(([key, gs]) => bucketOfTotals(key, total(gs))));
}

export function topBuckets(buckets: Bucket[]): Bucket[] {
  buckets.sort((a, b) => b.messages - a.messages || compareKeys(a.key, b.key));
  return buckets.slice(0, BREAKDOWN_LIMIT);
}

/** SQLite's order for the keys: NULL first, then bytewise (BINARY collation of UTF-8). */
export function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function histogramFrom(t: Totals): HistogramBin[] {
  return Array.from({ length: BIN_COUNT }, (_, i) => ({
    le_ms: i < HISTOGRAM_EDGES_MS.length ? HISTOGRAM_EDGES_MS[i] : null,
    count: t[`h${i}` as Measure],
  }));
}

export function seriesPoints(
  cells: Map<number, SeriesCell>,
  w: Window,
  intervalMs: number
): TimeseriesPoint[] {
  return bucketStarts(w, intervalMs).map((t) => {
    const c = cells.get(t);
    const [p50, p95, p99] = c?.sketch ? quantiles(c.sketch, [0.5, 0.95, 0.99]) : [null, null, null];
    return {
      t,
      requests: c?.requests ?? 0,
      errors: c?.errors ?? 0,
      input_tokens: c?.in_sum ?? 0,
      output_tokens: c?.out_sum ?? 0,
      latency_p50_ms: p50,
      latency_p95_ms: p95,
      latency_p99_ms: p99,
    };
  });
}

export function historyPoints(cells: Map<number, SeriesCell>, w: Window, intervalMs: number): HistoryPoint[] {
  return bucketStarts(w, intervalMs).map((t) => {
    const c = cells.get(t);
    const n = c?.requests ?? 0;
    return {
      timestamp: new Date(t).toISOString(),
      requests_per_minute: n / (intervalMs / 60_000),
      tokens_per_second: (c?.out_sum ?? 0) / (intervalMs / 1000),
      avg_latency_ms: c && n > 0 ? c.dur_sum / n : null,
      error_rate: c && n > 0 ? c.errors / n : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Reading from the rollups (exact).

export const SERIES_MEASURES = ['messages', 'errors', 'in_sum', 'out_sum', 'dur_sum'] as const;

/** Per (model, category, status): the breakdowns' measures only, or every measure when asked. */
function rollupGroups(store: MessageStore, f: MessageFilters, w: Window, all: boolean): GroupRow[] {
  const measures = all ? MEASURES : BUCKET_MEASURES;
  return readRollup(store, f, w, {
    slice: 'dims',
    groupBy: ['model', 'category', 'status'],
    measures,
  }).map((r) => ({
    model: r.keys[0],
    category: r.keys[1] as string,
    status: r.keys[2] as string,
    t: totalsOf(r, measures),
  }));
}

export function totalsOf(r: RolledRow, measures: readonly Measure[] = MEASURES): Totals {
  const t = zeroTotals();
  measures.forEach((m, i) => (t[m] = r.v[i]));
  return t;
}

function rollupTotals(store: MessageStore, f: MessageFilters, w: Window): Totals {
  const rows = readRollup(store, f, w, {
    slice: hasDimFilter(f) ? 'dims' : 'total',
    groupBy: [],
    measures: MEASURES,
  });
  return rows.length ? totalsOf(rows[0]) : zeroTotals();
}

function rollupSeries(
  store: MessageStore,
  f: MessageFilters,
  w: Window,
  intervalMs: number,
  sketch: boolean
): Map<number, SeriesCell> {
  const rows = readRollup(store, f, w, {
    slice: hasDimFilter(f) ? 'dims' : 'total',
    groupBy: [],
    measures: SERIES_MEASURES,
    sketch,
    bucketMs: intervalMs,
  });
  return new Map(
    rows.map((r) => [
      r.b,
      {
        requests: r.v[0],
        errors: r.v[1],
        in_sum: r.v[2],
        out_sum: r.v[3],
        dur_sum: r.v[4],
        sketch: r.sketch,
      },
    ])
  );
}

function rollupUsers(store: MessageStore, w: Window): UserRow[] {
  return readRollup(store, {}, w, { slice: 'user', groupBy: ['user'], measures: BUCKET_MEASURES }).map(
    (r) => {
      const u = { user: r.keys[0] } as UserRow;
      BUCKET_MEASURES.forEach((m, i) => (u[m] = r.v[i]));
      return u;
    }
  );
}

export const SCATTER_COLUMNS = 's.id, s.input_tokens, s.output_tokens, s.duration_ms, s.cost, s.model';

/** Evenly thins a list to at most SCATTER_MAX items (deterministic). */
export function thin<T>(xs: readonly T[]): T[] {
  if (xs.length <= SCATTER_MAX) return [...xs];
  const step = xs.length / SCATTER_MAX;
  return Array.from({ length: SCATTER_MAX }, (_, i) => xs[Math.floor(i * step)]);
}

/**
 * A deterministic sample of at most SCATTER_MAX messages spread over the window: SCATTER_PROBES
 * instants evenly spaced over the window, and for each the first matching message at or after it
 * (one index seek each). The same window gives the same points on every refresh, the cost never
 * depends on how many messages the window holds, and a window with few matches gets all of them.
 */
function probeScatter(store: MessageStore, f: MessageFilters, w: Window): ScatterPoint[] {
  // A window of at most SCATTER_MAX messages is shown whole: probes would find only the first message
  // after each instant, so a burst (many messages between two probes) would collapse to one point.
  const windowed = buildWhere({ ...f, from: w.from, to: w.to });
  if (windowed.empty) return [];
  const few = store
    .prepare(
      `SELECT ${SCATTER_COLUMNS} FROM messages s WHERE s.seq IN (SELECT m.seq FROM messages m ${windowed.sql} ` +
        `ORDER BY m.started_at LIMIT ${SCATTER_MAX + 1}) ORDER BY s.started_at, s.seq`
    )
    .all(...windowed.params) as ScatterPoint[];
  if (few.length <= SCATTER_MAX) return few;
  // The probe instant is the only lower bound (each ≥ from): with two, SQLite may seek by `from`
  // and walk to the instant, which turns every probe into a scan.
  const where = buildWhere({ ...f, from: undefined, to: w.to });
  if (where.empty) return [];
  const step = (w.to - w.from) / SCATTER_PROBES;
  // One seek per probe along the time index (a scalar subquery per probe instant).
  const seqs = store
    .prepare(
      `SELECT (SELECT m.seq FROM messages m ${where.sql} ${where.sql ? 'AND' : 'WHERE'} m.started_at >= p.value ` +
        'ORDER BY m.started_at LIMIT 1) AS seq FROM json_each(?) p'
    )
    .pluck()
    .all(
      ...where.params,
      JSON.stringify(Array.from({ length: SCATTER_PROBES }, (_, i) => w.from + Math.floor(i * step)))
    ) as (number | null)[];
  const unique = [...new Set(seqs.filter((x): x is number => x !== null))];
  const rows = store
    .prepare(
      `SELECT ${SCATTER_COLUMNS} FROM messages s WHERE s.seq IN (SELECT value FROM json_each(?)) ORDER BY s.started_at, s.seq`
    )
    .all(JSON.stringify(unique)) as ScatterPoint[];
  return thin(rows);
}

// ---------------------------------------------------------------------------------------------
// Reading the newest matching messages (bounded) when the rollups cannot answer.

export interface SampleRow {
  /** Only when asked for (the scatter). */
  id?: string;
  started_at: number;
  model: string | null;
  category: string;
  status: string;
  user: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  duration_ms: number;
}

export interface Sample {
  /** Newest first. */
  rows: SampleRow[];
  /** Every match was read (fewer than the limit). */
  complete: boolean;
  /** How many messages matched: exact when complete or counted, null when more than MATCH_COUNT_LIMIT. */
  matched: number | null;
}

/** All in the covering window index (schema.ts messages_window), so a sample needs no row lookups. */
export const SAMPLE_COLUMNS =
  'm.started_at, m.model, m.category, m.status, m.user, m.input_tokens, m.output_tokens, m.cost, m.duration_ms';

/**
 * The newest `limit` messages of the window that pass the filters. A search walks the full-text
 * index from the newest match down (its rowids follow insertion, hence time) and stops at the limit;
 * other filters read their index in time order. With `count`, when the limit is reached the matches
 * are counted where that is cheap: a search with no other filter than time counts the term's
 * postings in the window's seq range (the messages recorded while the window was current), other
 * filters count along their index up to MATCH_COUNT_LIMIT; a search combined with other filters is
 * not counted (null). Without `withId` the columns come from the covering window index alone.
 */
function readSample(
  store: MessageStore,
  f: MessageFilters,
  w: Window,
  limit: number,
  opts: { count?: boolean; withId?: boolean } = {}
): Sample {
  const windowed = { ...f, from: w.from, to: w.to };
  const fts = toFtsQuery(f.q);
  const columns = opts.withId ? `m.id, ${SAMPLE_COLUMNS}` : SAMPLE_COLUMNS;
  if (fts.kind === 'empty') return { rows: [], complete: true, matched: 0 };
  if (fts.kind === 'match') {
    const plan = planSearch(store, windowed, false);
    if (!plan.seqRange) return { rows: [], complete: true, matched: 0 };
    const [lo, hi] = plan.seqRange;
    const { q: _q, ...rest } = windowed;
    const where = buildWhere(rest, [
      { sql: 'messages_fts MATCH ? AND f.rowid BETWEEN ? AND ?', params: [fts.expression, lo, hi] },
    ]);
    // CROSS JOIN: the index walk drives, each match is checked against the other filters.
    const rows = store
      .prepare(
        `SELECT ${columns} FROM messages_fts f CROSS JOIN messages m ON m.seq = f.rowid ${where.sql} ORDER BY f.rowid DESC LIMIT ?`
      )
      .all(...where.params, limit) as SampleRow[];
    if (rows.length < limit) return { rows, complete: true, matched: rows.length };
    const onlyTime = buildWhere({ ...rest, from: undefined, to: undefined }).sql === '';
    const matched =
      opts.count && onlyTime
        ? (store
            .prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ?')
            .pluck()
            .get(fts.expression, lo, hi) as number)
        : null;
    return { rows, complete: false, matched };
  }
  const where = buildWhere(windowed);
  if (f.user !== undefined || f.session !== undefined || (f.host?.length ?? 0) > 0) {
    // A user, session or host filter reads its own index (those rows only), newest first.
    const rows = store
      .prepare(`SELECT ${columns} FROM messages m ${where.sql} ORDER BY m.started_at DESC LIMIT ?`)
      .all(...where.params, limit) as SampleRow[];
    if (rows.length < limit) return { rows, complete: true, matched: rows.length };
    if (!opts.count) return { rows, complete: false, matched: null };
    const n = store
      .prepare(`SELECT count(*) FROM (SELECT 1 FROM messages m ${where.sql} LIMIT ?)`)
      .pluck()
      .get(...where.params, MATCH_COUNT_LIMIT) as number;
    return { rows, complete: false, matched: n >= MATCH_COUNT_LIMIT ? null : n };
  }
  // Other filters have no index of their own: read the window's newest `limit` messages from the
  // covering window index (no row lookups) and keep those that match, so the cost never depends on
  // how rare a match is. Not counted (matched null) when the window holds more.
  const inWindow = buildWhere({ from: w.from, to: w.to });
  const rest = buildWhere({ ...windowed, from: undefined, to: undefined });
  const filtered = `${f.endpoint !== undefined ? ', m.endpoint' : ''}${f.origin?.length ? ', m.origin' : ''}`;
  const rows = store
    .prepare(
      `SELECT ${columns} FROM (SELECT ${SAMPLE_COLUMNS}${filtered} ` +
        `FROM messages m INDEXED BY messages_window ${inWindow.sql} ` +
        `ORDER BY m.started_at DESC LIMIT ?) m ${rest.sql}`
    )
    .all(...inWindow.params, limit, ...rest.params) as SampleRow[];
  const scanned = store
    .prepare(`SELECT count(*) FROM (SELECT 1 FROM messages m ${inWindow.sql} LIMIT ?)`)
    .pluck()
    .get(...inWindow.params, limit + 1) as number;
  const complete = scanned <= limit;
  return { rows, complete, matched: complete ? rows.length : null };
}

/** Everything a sample can give, folded in one pass. */
export interface Folded {
  groups: GroupRow[];
  users: UserRow[];
  uniqueUsers: number;
  series: Map<number, SeriesCell>;
}

export function fold(rows: readonly SampleRow[], intervalMs: number | undefined, sketch: boolean): Folded {
  const groups = new Map<string, GroupRow>();
  const users = new Map<string | null, UserRow>();
  const series = new Map<number, SeriesCell>();
  for (const r of rows) {
    const v = measuresOf(r);
    const gk = `${r.model ?? ''}\u0000${r.category}\u0000${r.status}`;
    let g = groups.get(gk);
    if (!g) {
      g = { model: r.model, category: r.category, status: r.status, t: zeroTotals() };
      groups.set(gk, g);
    }
    MEASURES.forEach((m, i) => (g.t[m] += v[i]));
    let u = users.get(r.user);
    if (!u) {
      u = { user: r.user, messages: 0, errors: 0, in_sum: 0, out_sum: 0, cost: 0, dur_sum: 0 };
      users.set(r.user, u);
    }
    for (const m of BUCKET_MEASURES) u[m] += v[MEASURES.indexOf(m)];
    if (intervalMs !== undefined) {
      const b = Math.floor(r.started_at / intervalMs) * intervalMs;
      let c = series.get(b);
      if (!c) {
        c = { requests: 0, errors: 0, in_sum: 0, out_sum: 0, dur_sum: 0, sketch: sketch ? newDense() : null };
        series.set(b, c);
      }
      c.requests += 1;
      c.errors += v[1];
      c.in_sum += v[2];
      c.out_sum += v[4];
      c.dur_sum += r.duration_ms;
      if (c.sketch) c.sketch[bucketOf(r.duration_ms)] += 1;
    }
  }
  return {
    groups: [...groups.values()],
    users: [...users.values()],
    uniqueUsers: [...users.keys()].filter((u) => u !== null).length,
    series,
  };
}

export function sampleScatter(rows: readonly SampleRow[]): ScatterPoint[] {
  // Oldest first, as the rollup path returns them.
  return thin([...rows].reverse()).map((r) => ({
    id: r.id as string,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    duration_ms: r.duration_ms,
    cost: r.cost,
    model: r.model,
  }));
}

// ---------------------------------------------------------------------------------------------
// The API.

export interface AggregationRequest {
  intervalS?: number;
  include?: readonly AggregationPart[];
  /** Messages read when the rollups cannot answer (default SAMPLE_LIMIT). */
  sampleLimit?: number;
}

export function emptyAggregations(): Aggregations {
  return {
    summary: summaryFrom(EMPTY_FIGURES, EMPTY_FIGURES),
    timeseries: [],
    breakdowns: { model: [], category: [], status: [], user: [] },
    latency_histogram: [],
    scatter: [],
    sampled: false,
    matched: null,
    sample_size: null,
  };
}

function compute(
  store: MessageStore,
  f: MessageFilters,
  w: Window,
  intervalMs: number,
  want: ReadonlySet<AggregationPart>,
  sampleLimit = SAMPLE_LIMIT
): Aggregations {
  const limit = Number.isSafeInteger(sampleLimit) && sampleLimit > 0 ? sampleLimit : SAMPLE_LIMIT;
  const out = emptyAggregations();
  const needGroups = want.has('summary') || want.has('breakdowns') || want.has('latency_histogram');
  const dimFiltered = hasDimFilter(f);
  if (!rollupCompatible(f)) {
    const s = readSample(store, f, w, limit, {
      count: true,
      withId: want.has('scatter') && toFtsQuery(f.q).kind === 'match',
    });
    const folded = fold(s.rows, want.has('timeseries') ? intervalMs : undefined, true);
    const t = total(folded.groups);
    if (want.has('summary')) {
      const p = readSample(store, f, previousWindow(w), limit);
      const pf = fold(p.rows, undefined, false);
      out.summary = summaryFrom(
        figuresFrom(t, folded.uniqueUsers),
        figuresFrom(total(pf.groups), pf.uniqueUsers)
      );
    }
    if (want.has('timeseries')) out.timeseries = seriesPoints(folded.series, w, intervalMs);
    if (want.has('breakdowns')) {
      out.breakdowns = {
        model: bucketsFrom(folded.groups, 'model'),
        category: bucketsFrom(folded.groups, 'category'),
        status: bucketsFrom(folded.groups, 'status'),
        user: topBuckets(folded.users.map((u) => bucketOfTotals(u.user, u))),
      };
    }
    if (want.has('latency_histogram')) out.latency_histogram = histogramFrom(t);
    // A search's sample carries the ids (its rows were looked up anyway); other filters probe.
    if (want.has('scatter'))
      out.scatter = toFtsQuery(f.q).kind === 'match' ? sampleScatter(s.rows) : probeScatter(store, f, w);
    out.sampled = !s.complete;
    out.matched = s.matched;
    out.sample_size = s.complete ? null : s.rows.length;
    return out;
  }

  let totals: Totals | undefined;
  let groups: GroupRow[] = [];
  if (want.has('breakdowns')) {
    // Unfiltered, the totals (with the histogram) come from the one-row-per-period total slice and
    // the breakdowns need only their six measures; filtered, the dims rows give both.
    groups = rollupGroups(store, f, w, dimFiltered);
    totals = dimFiltered ? total(groups) : rollupTotals(store, f, w);
  } else if (needGroups) {
    totals = rollupTotals(store, f, w);
  }
  // Per user: the user rollup holds time only; under other filters, the newest matches.
  let users: { rows: UserRow[]; unique: number } | undefined;
  let previousUnique = 0;
  const wantUsers = want.has('summary') || want.has('breakdowns');
  if (wantUsers && !dimFiltered) {
    if (want.has('breakdowns')) {
      // The breakdown reads every user of the window anyway: count them there.
      const rows = rollupUsers(store, w);
      users = { rows, unique: rows.filter((u) => u.user !== null && u.messages > 0).length };
    } else {
      users = { rows: [], unique: distinctUsers(store, w) };
    }
    if (want.has('summary')) previousUnique = distinctUsers(store, previousWindow(w));
  } else if (wantUsers) {
    const s = readSample(store, f, w, limit);
    const folded = fold(s.rows, undefined, false);
    users = { rows: folded.users, unique: folded.uniqueUsers };
    if (want.has('summary')) {
      const p = readSample(store, f, previousWindow(w), limit);
      previousUnique = fold(p.rows, undefined, false).uniqueUsers;
    }
    if (!s.complete) {
      out.sampled = true;
      out.sample_size = s.rows.length;
    }
  }
  if (want.has('summary') && totals) {
    const prev = rollupTotals(store, f, previousWindow(w));
    out.summary = summaryFrom(figuresFrom(totals, users?.unique ?? 0), figuresFrom(prev, previousUnique));
  }
  if (want.has('timeseries')) {
    const cells = rollupSeries(store, f, w, intervalMs, true);
    out.timeseries = seriesPoints(cells, w, intervalMs);
    if (!totals) {
      let n = 0;
      for (const c of cells.values()) n += c.requests;
      out.matched = n;
    }
  }
  if (want.has('breakdowns')) {
    out.breakdowns = {
      model: bucketsFrom(groups, 'model'),
      category: bucketsFrom(groups, 'category'),
      status: bucketsFrom(groups, 'status'),
      user: topBuckets((users?.rows ?? []).map((u) => bucketOfTotals(u.user, u))),
    };
  }
  if (want.has('latency_histogram') && totals) out.latency_histogram = histogramFrom(totals);
  if (want.has('scatter')) out.scatter = probeScatter(store, f, w);
  if (totals) out.matched = totals.messages;
  else if (out.matched === null) out.matched = rollupTotals(store, f, w).messages;
  return out;
}

/** Everything the Explorer's summary cards and charts show. Parts not included come back empty. */
export function aggregations(
  store: MessageStore,
  f: MessageFilters,
  req: AggregationRequest = {},
  now = Date.now()
): Aggregations {
  const w = resolveWindow(f, now);
  const intervalMs = resolveInterval(w, req.intervalS);
  const want = new Set<AggregationPart>(
    req.include && req.include.length > 0 ? req.include : AGGREGATION_PARTS
  );
  return compute(store, f, w, intervalMs, want, req.sampleLimit);
}

export function summary(store: MessageStore, f: MessageFilters, w: Window): Summary {
  return compute(store, f, w, resolveInterval(w, undefined), new Set(['summary'])).summary;
}

export function timeseries(
  store: MessageStore,
  f: MessageFilters,
  w: Window,
  intervalMs: number
): TimeseriesPoint[] {
  return compute(store, f, w, intervalMs, new Set(['timeseries'])).timeseries;
}

export function breakdown(
  store: MessageStore,
  f: MessageFilters,
  w: Window,
  dim: BreakdownDimension
): Bucket[] {
  return compute(store, f, w, resolveInterval(w, undefined), new Set(['breakdowns'])).breakdowns[dim];
}

export function latencyHistogram(store: MessageStore, f: MessageFilters, w: Window): HistogramBin[] {
  return compute(store, f, w, resolveInterval(w, undefined), new Set(['latency_histogram']))
    .latency_histogram;
}

export function scatter(store: MessageStore, f: MessageFilters, w: Window): ScatterPoint[] {
  return compute(store, f, w, resolveInterval(w, undefined), new Set(['scatter'])).scatter;
}

/** The window's totals and models (from the rollups, or the newest matches for other filters). */
export function currentStats(
  store: MessageStore,
  f: MessageFilters,
  uptimeSeconds: number,
  now = Date.now()
): CurrentStats {
  const w = resolveWindow(f, now);
  let t: Totals;
  let models: string[];
  if (rollupCompatible(f)) {
    const byModel = readRollup(store, f, w, {
      slice: 'dims',
      groupBy: ['model'],
      measures: ['messages', 'errors', 'in_sum', 'out_sum', 'dur_sum'],
    });
    t = zeroTotals();
    for (const r of byModel) {
      t.messages += r.v[0];
      t.errors += r.v[1];
      t.in_sum += r.v[2];
      t.out_sum += r.v[3];
      t.dur_sum += r.v[4];
    }
    models = byModel
      .filter((r) => r.keys[0] !== null && r.v[0] > 0)
      .sort((a, b) => b.v[0] - a.v[0] || compareKeys(a.keys[0], b.keys[0]))
      .map((r) => r.keys[0] as string);
  } else {
    const groups = fold(readSample(store, f, w, SAMPLE_LIMIT).rows, undefined, false).groups;
    t = total(groups);
    models = bucketsFrom(groups, 'model')
      .filter((b) => b.key !== null)
      .map((b) => b.key as string);
  }
  return {
    total_requests: t.messages,
    total_tokens: t.in_sum + t.out_sum,
    total_errors: t.errors,
    avg_latency_ms: t.messages > 0 ? t.dur_sum / t.messages : null,
    models_in_use: models,
    uptime_seconds: Math.round(uptimeSeconds),
  };
}

export function history(
  store: MessageStore,
  f: MessageFilters,
  intervalS: number | undefined,
  now = Date.now()
): HistoryPoint[] {
  const w = resolveWindow(f, now);
  const intervalMs = resolveInterval(w, intervalS);
  const cells = rollupCompatible(f)
    ? rollupSeries(store, f, w, intervalMs, false)
    : fold(readSample(store, f, w, SAMPLE_LIMIT).rows, intervalMs, false).series;
  return historyPoints(cells, w, intervalMs);
}

export function dataSummary(store: MessageStore): DataSummary {
  // The day rollup holds every message: its sum is the count without scanning the messages.
  const messages = store
    .prepare('SELECT coalesce(sum(messages), 0) FROM rollup_total_day')
    .pluck()
    .get() as number;
  const oldest = store.prepare('SELECT min(started_at) FROM messages').pluck().get() as number | null;
  const newest = store.prepare('SELECT max(started_at) FROM messages').pluck().get() as number | null;
  return { messages, oldest, newest, db_bytes: store.fileBytes() };
}
