/**
 * The additive measures behind the summary, the breakdowns and the latency histogram, defined once
 * for the three places that compute them: SQL over messages (aggregate.ts), SQL when rows leave the
 * store, and JS when rows enter it (store.ts, for the rollups). All three must agree exactly.
 */

/** Errors for rates and breakdowns: failures of the service. Cancelled requests were the client's choice. */
export const ERROR_STATUSES = ['error', 'timeout'] as const;
export const IS_ERROR_SQL = `m.status IN (${ERROR_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Upper edges (ms) of the latency histogram bins; a last bin holds everything above. */
export const HISTOGRAM_EDGES_MS = [100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;
export const BIN_COUNT = HISTOGRAM_EDGES_MS.length + 1;

/** The measure columns, in order (the rollups' columns after their key, and the grouped queries' sums). */
export const MEASURES = [
  'messages',
  'errors',
  'in_sum',
  'in_n',
  'out_sum',
  'out_n',
  'cost',
  'dur_sum',
  ...Array.from({ length: BIN_COUNT }, (_, i) => `h${i}` as const),
] as const;
export type Measure = (typeof MEASURES)[number];

/** Each measure as an SQL aggregate over `messages m`. */
export const MEASURE_SQL: Record<Measure, string> = (() => {
  const sql: Record<string, string> = {
    messages: 'count(*)',
    errors: `coalesce(sum(${IS_ERROR_SQL}), 0)`,
    in_sum: 'coalesce(sum(m.input_tokens), 0)',
    in_n: 'count(m.input_tokens)',
    out_sum: 'coalesce(sum(m.output_tokens), 0)',
    out_n: 'count(m.output_tokens)',
    cost: 'coalesce(sum(m.cost), 0)',
    dur_sum: 'coalesce(sum(m.duration_ms), 0)',
  };
  let lower: number | undefined;
  HISTOGRAM_EDGES_MS.forEach((edge, i) => {
    sql[`h${i}`] =
      `coalesce(sum(${lower === undefined ? '' : `m.duration_ms > ${lower} AND `}m.duration_ms <= ${edge}), 0)`;
    lower = edge;
  });
  sql[`h${HISTOGRAM_EDGES_MS.length}`] = `coalesce(sum(m.duration_ms > ${lower}), 0)`;
  return sql as Record<Measure, string>;
})();

/** SQL aggregates of every measure over `messages m`, aliased by measure name. */
export const MEASURES_SQL = MEASURES.map((m) => `${MEASURE_SQL[m]} AS ${m}`).join(', ');

/** The measures a breakdown bucket needs (the user breakdown reads only these). */
export const BUCKET_MEASURES = ['messages', 'errors', 'in_sum', 'out_sum', 'cost', 'dur_sum'] as const;
export type BucketMeasure = (typeof BUCKET_MEASURES)[number];
export const BUCKET_MEASURES_SQL = BUCKET_MEASURES.map((m) => `${MEASURE_SQL[m]} AS ${m}`).join(', ');

export function binOf(durationMs: number): number {
  for (let i = 0; i < HISTOGRAM_EDGES_MS.length; i++) if (durationMs <= HISTOGRAM_EDGES_MS[i]) return i;
  return HISTOGRAM_EDGES_MS.length;
}

/** One message's contribution to the measures (MEASURES order). */
export function measuresOf(m: {
  status: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  duration_ms: number;
}): number[] {
  const v = new Array<number>(MEASURES.length).fill(0);
  v[0] = 1;
  v[1] = (ERROR_STATUSES as readonly string[]).includes(m.status) ? 1 : 0;
  if (m.input_tokens !== null) {
    v[2] = m.input_tokens;
    v[3] = 1;
  }
  if (m.output_tokens !== null) {
    v[4] = m.output_tokens;
    v[5] = 1;
  }
  v[6] = m.cost ?? 0;
  v[7] = m.duration_ms;
  v[8 + binOf(m.duration_ms)] = 1;
  return v;
}

/**
 * The rollups, kept by the store in the same transaction as the messages (store.ts) and read by
 * rollup.ts: per tier (each row covers [t, t + tier) in epoch ms, UTC-aligned) and per slice, the
 * measures of every key. The `total` slice has no key (time only: the unfiltered time series reads
 * one row per period), `dims` is keyed by model, category, status and endpoint ('' for NULL), `user`
 * by user, `host` (the message count alone, for the list of servers) by the sidecar that measured it.
 * `total` and `dims` also keep the latency sketch (sketch.ts).
 *
 * Tiers: minute (time series at 1–5 min, and window edges to the minute), 10 minutes (the 24 h
 * view's buckets, and edges), hour, day. The user slice skips the minute tier (it is the widest
 * slice, so the costliest to write): a window's partial 10 minutes at each end are read from the
 * messages for it.
 */
export const TIERS = [
  { name: 'minute', ms: 60_000 },
  { name: 'minute10', ms: 600_000 },
  { name: 'hour', ms: 3_600_000 },
  { name: 'day', ms: 86_400_000 },
] as const;
export type Tier = (typeof TIERS)[number];
export type TierName = Tier['name'];

export const ROLLUP_DIMS = ['model', 'category', 'status', 'endpoint'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

/** Every column a slice may be keyed by. */
export type SliceDim = RollupDim | 'user' | 'host';

export interface SliceSpec {
  name: 'total' | 'dims' | 'user' | 'host';
  dims: readonly SliceDim[];
  measures: readonly Measure[];
  sketch: boolean;
  /** Finest first. */
  tiers: readonly Tier[];
}

export const SLICES: readonly SliceSpec[] = [
  { name: 'total', dims: [], measures: MEASURES, sketch: true, tiers: TIERS },
  { name: 'dims', dims: ROLLUP_DIMS, measures: MEASURES, sketch: true, tiers: TIERS },
  { name: 'user', dims: ['user'], measures: BUCKET_MEASURES, sketch: false, tiers: TIERS.slice(1) },
  { name: 'host', dims: ['host'], measures: ['messages'], sketch: false, tiers: TIERS },
];

export const sliceOf = (name: SliceSpec['name']): SliceSpec => SLICES.find((s) => s.name === name)!;

export const rollupTable = (slice: SliceSpec['name'], tier: TierName): string => `rollup_${slice}_${tier}`;

/** Every rollup table with its slice and tier. */
export const ROLLUPS = SLICES.flatMap((slice) =>
  slice.tiers.map((tier) => ({ table: rollupTable(slice.name, tier.name), slice, tier }))
);
