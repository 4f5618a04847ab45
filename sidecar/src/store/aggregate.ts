import { buildWhere, planSearch, type Where } from './filters';
import {
  BIN_COUNT,
  BUCKET_MEASURES,
  BUCKET_MEASURES_SQL,
  type BucketMeasure,
  HISTOGRAM_EDGES_MS,
  IS_ERROR_SQL,
  MEASURES,
  MEASURES_SQL,
  ROLLUP_HOUR_MS,
} from './measures';
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
} from './types';

/**
 * The Explorer's aggregations over the filtered window. The summary, the model/category/status
 * breakdowns and the latency histogram all derive from one set of grouped measures, read from the
 * hourly rollup for whole hours when the filters allow it and from the messages for the rest; the
 * time series, the user breakdown and the scatter sample read the messages (over the covering
 * window index). Percentiles are exact (nearest rank). A panel that needs one part asks for just it
 * (`include`).
 */

export { HISTOGRAM_EDGES_MS };
export const DAY_MS = 24 * 3600 * 1000;
export const SCATTER_MAX = 500;
export const BREAKDOWN_LIMIT = 50;
export const MAX_BUCKETS = 5000;
const TARGET_BUCKETS = 200;
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
  if (from >= to) throw new RangeError400(`from (${from}) must be before to (${to})`);
  return { from, to };
}

/** The bucket width in ms: the given interval, or the smallest nice one giving ≤ ~200 buckets. */
export function resolveInterval(w: Window, intervalS: number | undefined): number {
  const span = w.to - w.from;
  // Inlined into SQL (integer division by a bound double would not bucket), so always an integer.
  if (intervalS !== undefined) {
    const ms = Math.round(intervalS * 1000);
    if (!Number.isSafeInteger(ms) || ms < 1000)
      throw new RangeError400(`interval must be a whole number of seconds ≥ 1, got ${intervalS}`);
    if (Math.ceil(span / ms) > MAX_BUCKETS) {
      throw new RangeError400(
        `interval=${intervalS}s gives more than ${MAX_BUCKETS} buckets over this range; use a larger interval`
      );
    }
    return ms;
  }
  for (const s of NICE_INTERVALS_S) if (span / (s * 1000) <= TARGET_BUCKETS) return s * 1000;
  return Math.ceil(span / TARGET_BUCKETS / 86_400_000) * 86_400_000;
}

function windowWhere(store: MessageStore, f: MessageFilters, w: Window): Where {
  const windowed = { ...f, from: w.from, to: w.to };
  return buildWhere(windowed, [], planSearch(store, windowed, false));
}

/** Grouped measures for one (model, category, status). */
type GroupRow = { model: string | null; category: string; status: string } & Record<
  (typeof MEASURES)[number],
  number
>;

/** Filters the rollup can answer: it keeps time (by hour), model, category and status only. */
const ROLLUP_FILTERS: ReadonlySet<keyof MessageFilters> = new Set([
  'from',
  'to',
  'model',
  'status',
  'category',
]);

function rollupCompatible(f: MessageFilters): boolean {
  return (Object.keys(f) as (keyof MessageFilters)[]).every(
    (k) => f[k] === undefined || ROLLUP_FILTERS.has(k)
  );
}

function rawGroups(store: MessageStore, f: MessageFilters, w: Window): GroupRow[] {
  const where = windowWhere(store, f, w);
  if (where.empty) return [];
  // Grouped by category first: grouping by model first tempts the planner into the model index (for
  // its order) and a table lookup per row, where the covering window index is several times cheaper.
  return store
    .prepare(
      `SELECT m.model AS model, m.category AS category, m.status AS status, ${MEASURES_SQL} ` +
        `FROM messages m ${where.sql} GROUP BY m.category, m.status, m.model`
    )
    .all(...where.params) as GroupRow[];
}

function rollupGroups(store: MessageStore, f: MessageFilters, fromHour: number, toHour: number): GroupRow[] {
  const conds = ['hour >= ?', 'hour < ?'];
  const params: (string | number)[] = [fromHour, toHour];
  for (const dim of ['model', 'status', 'category'] as const) {
    const vs = f[dim];
    if (!vs || vs.length === 0) continue;
    conds.push(`${dim} IN (${vs.map(() => '?').join(', ')})`);
    params.push(...vs);
  }
  return store
    .prepare(
      `SELECT nullif(model, '') AS model, category, status, ${MEASURES.map((m) => `sum(${m}) AS ${m}`).join(', ')} ` +
        `FROM rollup_hour WHERE ${conds.join(' AND ')} GROUP BY model, category, status`
    )
    .all(...params) as GroupRow[];
}

/**
 * The window's grouped measures. With rollup-compatible filters, whole hours come from the rollup
 * and only the partial hours at the two ends are read from the messages, so the answer is exact.
 */
function groups(store: MessageStore, f: MessageFilters, w: Window): GroupRow[] {
  const firstHour = Math.ceil(w.from / ROLLUP_HOUR_MS);
  const endHour = Math.floor(w.to / ROLLUP_HOUR_MS);
  if (!rollupCompatible(f) || endHour - firstHour < 2) return rawGroups(store, f, w);
  const parts = [
    ...(w.from < firstHour * ROLLUP_HOUR_MS
      ? rawGroups(store, f, { from: w.from, to: firstHour * ROLLUP_HOUR_MS })
      : []),
    ...rollupGroups(store, f, firstHour, endHour),
    ...(endHour * ROLLUP_HOUR_MS < w.to
      ? rawGroups(store, f, { from: endHour * ROLLUP_HOUR_MS, to: w.to })
      : []),
  ];
  const merged = new Map<string, GroupRow>();
  for (const g of parts) {
    const k = `${g.model ?? ''}\u0000${g.category}\u0000${g.status}`;
    const acc = merged.get(k);
    if (!acc) merged.set(k, { ...g });
    else for (const m of MEASURES) acc[m] += g[m];
  }
  return [...merged.values()];
}

/** Rollup-backed groups for the user breakdown: only a time window can be answered from rollup_user_hour. */
type UserRow = { user: string | null } & Record<BucketMeasure, number>;

function rawUserGroups(store: MessageStore, f: MessageFilters, w: Window): UserRow[] {
  const where = windowWhere(store, f, w);
  if (where.empty) return [];
  return store
    .prepare(`SELECT m.user AS user, ${BUCKET_MEASURES_SQL} FROM messages m ${where.sql} GROUP BY m.user`)
    .all(...where.params) as UserRow[];
}

function userGroups(store: MessageStore, f: MessageFilters, w: Window): UserRow[] {
  const firstHour = Math.ceil(w.from / ROLLUP_HOUR_MS);
  const endHour = Math.floor(w.to / ROLLUP_HOUR_MS);
  const onlyTime = (Object.keys(f) as (keyof MessageFilters)[]).every(
    (k) => f[k] === undefined || k === 'from' || k === 'to'
  );
  if (!onlyTime || endHour - firstHour < 2) return rawUserGroups(store, f, w);
  const parts = [
    ...(w.from < firstHour * ROLLUP_HOUR_MS
      ? rawUserGroups(store, f, { from: w.from, to: firstHour * ROLLUP_HOUR_MS })
      : []),
    ...(store
      .prepare(
        `SELECT nullif(user, '') AS user, ${BUCKET_MEASURES.map((m) => `sum(${m}) AS ${m}`).join(', ')} FROM rollup_user_hour ` +
          'WHERE hour >= ? AND hour < ? GROUP BY user'
      )
      .all(firstHour, endHour) as UserRow[]),
    ...(endHour * ROLLUP_HOUR_MS < w.to
      ? rawUserGroups(store, f, { from: endHour * ROLLUP_HOUR_MS, to: w.to })
      : []),
  ];
  const merged = new Map<string | null, UserRow>();
  for (const g of parts) {
    const acc = merged.get(g.user);
    if (!acc) merged.set(g.user, { ...g });
    else for (const m of BUCKET_MEASURES) acc[m] += g[m];
  }
  return [...merged.values()];
}

function bucketOf(key: string | null, t: Record<BucketMeasure, number>): Bucket {
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

function uniqueUsers(store: MessageStore, where: Where): number {
  if (where.empty) return 0;
  return store
    .prepare(`SELECT count(DISTINCT m.user) FROM messages m ${where.sql}`)
    .pluck()
    .get(...where.params) as number;
}

const EMPTY_FIGURES: SummaryFigures = {
  messages: 0,
  unique_users: 0,
  avg_input_tokens: null,
  avg_output_tokens: null,
  total_cost: 0,
  error_rate: null,
};

function figuresFrom(rows: readonly GroupRow[], users: number): SummaryFigures {
  const t = total(rows);
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

function total(rows: readonly GroupRow[]): Record<(typeof MEASURES)[number], number> {
  const t = Object.fromEntries(MEASURES.map((m) => [m, 0])) as Record<(typeof MEASURES)[number], number>;
  for (const g of rows) for (const m of MEASURES) t[m] += g[m];
  return t;
}

function windowFigures(store: MessageStore, f: MessageFilters, w: Window): SummaryFigures {
  return figuresFrom(groups(store, f, w), uniqueUsers(store, windowWhere(store, f, w)));
}

const relChange = (cur: number | null, prev: number | null): number | null =>
  cur === null || prev === null || prev === 0 ? null : (cur - prev) / prev;

function summaryFrom(current: SummaryFigures, previous: SummaryFigures): Summary {
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

function previousWindow(w: Window): Window {
  return { from: w.from - (w.to - w.from), to: w.from };
}

export function summary(store: MessageStore, f: MessageFilters, w: Window): Summary {
  return summaryFrom(windowFigures(store, f, w), windowFigures(store, f, previousWindow(w)));
}

/** Folds the grouped rows into one dimension's buckets, most messages first (ties by key, nulls first). */
function bucketsFrom(rows: readonly GroupRow[], dim: 'model' | 'category' | 'status'): Bucket[] {
  const byKey = new Map<string | null, GroupRow[]>();
  for (const g of rows) {
    const list = byKey.get(g[dim]);
    if (list) list.push(g);
    else byKey.set(g[dim], [g]);
  }
  return topBuckets([...byKey.entries()].map(([key, gs]) => bucketOf(key, total(gs))));
}

function topBuckets(buckets: Bucket[]): Bucket[] {
  buckets.sort((a, b) => b.messages - a.messages || compareKeys(a.key, b.key));
  return buckets.slice(0, BREAKDOWN_LIMIT);
}

/** SQLite's order for the keys: NULL first, then bytewise (BINARY collation of UTF-8). */
function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function histogramFrom(rows: readonly GroupRow[]): HistogramBin[] {
  const t = total(rows);
  return Array.from({ length: BIN_COUNT }, (_, i) => ({
    le_ms: i < HISTOGRAM_EDGES_MS.length ? HISTOGRAM_EDGES_MS[i] : null,
    count: t[`h${i}` as (typeof MEASURES)[number]],
  }));
}

function bucketStarts(w: Window, intervalMs: number): number[] {
  const first = Math.floor(w.from / intervalMs) * intervalMs;
  const out: number[] = [];
  for (let t = first; t < w.to; t += intervalMs) out.push(t);
  return out;
}

/** Exact nearest-rank percentile of ascending values. */
function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

interface BucketRow {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  /** The bucket's durations as SQLite's text (which round-trips doubles exactly); null when empty. */
  durations: string | null;
}

/**
 * Per-bucket counts and exact p50/p95/p99 latencies. One small range read per bucket along the time
 * index (no sort of the whole window); each hands back its durations as one text, sorted here.
 */
export function timeseries(
  store: MessageStore,
  f: MessageFilters,
  w: Window,
  intervalMs: number
): TimeseriesPoint[] {
  const windowed = { ...f, from: w.from, to: w.to };
  const plan = planSearch(store, windowed, false);
  const { from: _from, to: _to, ...rest } = windowed;
  const where = buildWhere(rest, [{ sql: 'm.started_at >= ? AND m.started_at < ?', params: [0, 0] }], plan);
  const stmt = where.empty
    ? undefined
    : store.prepare(
        `SELECT count(*) AS requests, coalesce(sum(${IS_ERROR_SQL}), 0) AS errors, coalesce(sum(m.input_tokens), 0) AS input_tokens, ` +
          `coalesce(sum(m.output_tokens), 0) AS output_tokens, group_concat(m.duration_ms) AS durations FROM messages m ${where.sql}`
      );
  const params = [...where.params];
  return bucketStarts(w, intervalMs).map((t) => {
    params[params.length - 2] = Math.max(t, w.from);
    params[params.length - 1] = Math.min(t + intervalMs, w.to);
    const r = stmt?.get(...params) as BucketRow | undefined;
    const sorted = r?.durations
      ? Float64Array.from(r.durations.split(','), Number).sort()
      : new Float64Array(0);
    return {
      t,
      requests: r?.requests ?? 0,
      errors: r?.errors ?? 0,
      input_tokens: r?.input_tokens ?? 0,
      output_tokens: r?.output_tokens ?? 0,
      latency_p50_ms: percentile(sorted, 0.5),
      latency_p95_ms: percentile(sorted, 0.95),
      latency_p99_ms: percentile(sorted, 0.99),
    };
  });
}

function userBuckets(store: MessageStore, f: MessageFilters, w: Window): Bucket[] {
  return topBuckets(userGroups(store, f, w).map((g) => bucketOf(g.user, g)));
}

export function breakdown(
  store: MessageStore,
  f: MessageFilters,
  w: Window,
  dim: BreakdownDimension
): Bucket[] {
  return dim === 'user' ? userBuckets(store, f, w) : bucketsFrom(groups(store, f, w), dim);
}

export function latencyHistogram(store: MessageStore, f: MessageFilters, w: Window): HistogramBin[] {
  return histogramFrom(groups(store, f, w));
}

/**
 * A deterministic sample of at most SCATTER_MAX points spread over the window: rows whose hashed seq
 * falls in 1/k of the hash space, so the same window gives the same points on every refresh.
 */
export function scatter(store: MessageStore, f: MessageFilters, w: Window, count?: number): ScatterPoint[] {
  const where = windowWhere(store, f, w);
  if (where.empty) return [];
  const n =
    count ??
    (store
      .prepare(`SELECT count(*) FROM messages m ${where.sql}`)
      .pluck()
      .get(...where.params) as number);
  const k = Math.max(1, Math.ceil(n / SCATTER_MAX));
  const sample =
    k === 1 ? '' : `${where.sql ? 'AND' : 'WHERE'} ((m.seq * 2654435761) & 4294967295) % ${k} = 0`;
  return store
    .prepare(
      `SELECT m.id, m.input_tokens, m.output_tokens, m.duration_ms, m.cost, m.model FROM messages m ${where.sql} ${sample} ` +
        `ORDER BY m.started_at LIMIT ${SCATTER_MAX}`
    )
    .all(...where.params) as ScatterPoint[];
}

export interface AggregationRequest {
  intervalS?: number;
  include?: readonly AggregationPart[];
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
  const grouped =
    want.has('summary') || want.has('breakdowns') || want.has('latency_histogram') || want.has('scatter')
      ? groups(store, f, w)
      : [];
  return {
    summary: want.has('summary')
      ? summaryFrom(
          figuresFrom(grouped, uniqueUsers(store, windowWhere(store, f, w))),
          windowFigures(store, f, previousWindow(w))
        )
      : summaryFrom(EMPTY_FIGURES, EMPTY_FIGURES),
    timeseries: want.has('timeseries') ? timeseries(store, f, w, intervalMs) : [],
    breakdowns: {
      model: want.has('breakdowns') ? bucketsFrom(grouped, 'model') : [],
      category: want.has('breakdowns') ? bucketsFrom(grouped, 'category') : [],
      status: want.has('breakdowns') ? bucketsFrom(grouped, 'status') : [],
      user: want.has('breakdowns') ? userBuckets(store, f, w) : [],
    },
    latency_histogram: want.has('latency_histogram') ? histogramFrom(grouped) : [],
    scatter: want.has('scatter') ? scatter(store, f, w, total(grouped).messages) : [],
  };
}

export function currentStats(
  store: MessageStore,
  f: MessageFilters,
  uptimeSeconds: number,
  now = Date.now()
): CurrentStats {
  const w = resolveWindow(f, now);
  const grouped = groups(store, f, w);
  const t = total(grouped);
  const byModel = bucketsFrom(grouped, 'model').filter((b) => b.key !== null);
  return {
    total_requests: t.messages,
    total_tokens: t.in_sum + t.out_sum,
    total_errors: t.errors,
    avg_latency_ms: t.messages > 0 ? t.dur_sum / t.messages : null,
    models_in_use: byModel.map((b) => b.key as string),
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
  const where = windowWhere(store, f, w);
  const rows = where.empty
    ? []
    : (store
        .prepare(
          `SELECT m.started_at / ${intervalMs} AS b, count(*) AS requests, coalesce(sum(${IS_ERROR_SQL}), 0) AS errors, ` +
            `coalesce(sum(m.output_tokens), 0) AS output_tokens, avg(m.duration_ms) AS avg_latency FROM messages m ${where.sql} GROUP BY b`
        )
        .all(...where.params) as {
        b: number;
        requests: number;
        errors: number;
        output_tokens: number;
        avg_latency: number;
      }[]);
  const byBucket = new Map(rows.map((r) => [r.b * intervalMs, r]));
  return bucketStarts(w, intervalMs).map((t) => {
    const r = byBucket.get(t);
    return {
      timestamp: new Date(t).toISOString(),
      requests_per_minute: r ? r.requests / (intervalMs / 60_000) : 0,
      tokens_per_second: r ? r.output_tokens / (intervalMs / 1000) : 0,
      avg_latency_ms: r ? r.avg_latency : null,
      error_rate: r && r.requests > 0 ? r.errors / r.requests : null,
    };
  });
}

export function dataSummary(store: MessageStore): DataSummary {
  const r = store
    .prepare(
      'SELECT count(*) AS messages, min(started_at) AS oldest, max(started_at) AS newest FROM messages'
    )
    .get() as Omit<DataSummary, 'db_bytes'>;
  return { messages: r.messages, oldest: r.oldest, newest: r.newest, db_bytes: store.fileBytes() };
}
