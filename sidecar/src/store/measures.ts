/**
 * The additive measures behind the summary, the breakdowns and the latency histogram, defined once
 * for the three places that compute them: SQL over messages (aggregate.ts), SQL when rows leave the
 * store, and JS when rows enter it (store.ts, for the hourly rollup). All three must agree exactly.
 */

/** Errors for rates and breakdowns: failures of the service. Cancelled requests were the client's choice. */
export const ERROR_STATUSES = ['error', 'timeout'] as const;
export const IS_ERROR_SQL = `m.status IN (${ERROR_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Upper edges (ms) of the latency histogram bins; a last bin holds everything above. */
export const HISTOGRAM_EDGES_MS = [100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;
export const BIN_COUNT = HISTOGRAM_EDGES_MS.length + 1;

export const ROLLUP_HOUR_MS = 3_600_000;

/** The measure columns, in order (rollup_hour's columns after its key, and the grouped queries' sums). */
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

/** SQL aggregates of every measure over `messages m`, aliased by measure name. */
export const MEASURES_SQL = (() => {
  const bins: string[] = [];
  let lower: number | undefined;
  HISTOGRAM_EDGES_MS.forEach((edge, i) => {
    bins.push(
      `coalesce(sum(${lower === undefined ? '' : `m.duration_ms > ${lower} AND `}m.duration_ms <= ${edge}), 0) AS h${i}`
    );
    lower = edge;
  });
  bins.push(`coalesce(sum(m.duration_ms > ${lower}), 0) AS h${HISTOGRAM_EDGES_MS.length}`);
  return (
    `count(*) AS messages, coalesce(sum(${IS_ERROR_SQL}), 0) AS errors, ` +
    `coalesce(sum(m.input_tokens), 0) AS in_sum, count(m.input_tokens) AS in_n, ` +
    `coalesce(sum(m.output_tokens), 0) AS out_sum, count(m.output_tokens) AS out_n, ` +
    `coalesce(sum(m.cost), 0) AS cost, coalesce(sum(m.duration_ms), 0) AS dur_sum, ${bins.join(', ')}`
  );
})();

/** The measures a breakdown bucket needs (the user breakdown reads only these). */
export const BUCKET_MEASURES = ['messages', 'errors', 'in_sum', 'out_sum', 'cost', 'dur_sum'] as const;
export type BucketMeasure = (typeof BUCKET_MEASURES)[number];
export const BUCKET_MEASURES_SQL =
  `count(*) AS messages, coalesce(sum(${IS_ERROR_SQL}), 0) AS errors, coalesce(sum(m.input_tokens), 0) AS in_sum, ` +
  `coalesce(sum(m.output_tokens), 0) AS out_sum, coalesce(sum(m.cost), 0) AS cost, coalesce(sum(m.duration_ms), 0) AS dur_sum`;

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

/** The hourly rollups: each keeps the measures per hour and per value of its dimensions (NULL as ''). */
export const ROLLUPS = [
  { table: 'rollup_hour', dims: ['model', 'category', 'status'] },
  { table: 'rollup_user_hour', dims: ['user'] },
] as const;
export type RollupDim = (typeof ROLLUPS)[number]['dims'][number];
