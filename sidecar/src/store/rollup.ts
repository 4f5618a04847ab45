import { buildWhere, modelFilterValues } from './filters';
import {
  MEASURE_SQL,
  type Measure,
  rollupTable,
  sliceOf,
  type SliceDim,
  type SliceSpec,
  type Tier,
  TIERS,
} from './measures';
import { addInto, type Dense, newDense } from './sketch';
import type { MessageStore } from './store';
import type { MessageFilters } from '@ollama-lens/contracts';

/**
 * Reads the rollups kept by the store (measures.ts ROLLUPS) for a time window: the window is cut
 * into whole days, hours, 10-minute periods and minutes, coarsest in the middle, and the partial
 * minutes at its two ends are read from the messages themselves. So the answer is exact (the same as
 * aggregating the raw rows) and costs O(days + 2·(23 hours + 5 ten-minute periods + 9 minutes))
 * rollup rows per key plus at most two minutes of messages (twenty for the user slice), whatever
 * the window holds.
 */

export interface Segment {
  /** null: read the messages. */
  tier: Tier | null;
  from: number;
  to: number;
}

/**
 * Covers [from, to) with whole periods of the given tiers (coarsest possible in the middle) and raw
 * edges. `tiers` are finest first.
 */
export function segments(from: number, to: number, tiers: readonly Tier[] = TIERS): Segment[] {
  const out: Segment[] = [];
  const cover = (a: number, b: number, level: number) => {
    if (a >= b) return;
    if (level < 0) {
      out.push({ tier: null, from: a, to: b });
      return;
    }
    const { ms } = tiers[level];
    const lo = Math.ceil(a / ms) * ms;
    const hi = Math.floor(b / ms) * ms;
    if (lo >= hi) return cover(a, b, level - 1);
    cover(a, lo, level - 1);
    out.push({ tier: tiers[level], from: lo, to: hi });
    cover(hi, b, level - 1);
  };
  cover(from, to, tiers.length - 1);
  return out;
}

/** The filters the rollups hold: time, and model, status, category and endpoint in the dims slice. */
const ROLLUP_FILTERS: ReadonlySet<keyof MessageFilters> = new Set([
  'from',
  'to',
  'model',
  'status',
  'category',
  'endpoint',
]);

const present = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0);

/** Can the rollups answer this filter set exactly? (A search term never can.) */
export function rollupCompatible(f: MessageFilters): boolean {
  return (Object.keys(f) as (keyof MessageFilters)[]).every(
    (k) => !present(f[k]) || ROLLUP_FILTERS.has(k) || (k === 'q' && (f.q ?? '').trim() === '')
  );
}

/** Whether a filter beyond time applies (then only the dims slice can answer, and not per user). */
export function hasDimFilter(f: MessageFilters): boolean {
  return present(f.model) || present(f.status) || present(f.category) || present(f.endpoint);
}

export interface RollupRead {
  slice: SliceSpec['name'];
  /** Keys to group by (of the slice's dims); rows come back per distinct combination. */
  groupBy: readonly SliceDim[];
  measures: readonly Measure[];
  /** Also merge the latency sketches (total and dims slices only). */
  sketch?: boolean;
  /** Group by time bucket of this width (ms, a whole number); omitted: the whole window. */
  bucketMs?: number;
}

export interface RolledRow {
  /** Bucket start (epoch ms), or 0 for the whole window. */
  b: number;
  /** The groupBy keys in order, NULL as null. */
  keys: (string | null)[];
  /** The measures in the order asked for. */
  v: number[];
  /** The merged latency histogram, when asked for. */
  sketch: Dense | null;
}

const q = (d: string) => (d === 'user' ? '"user"' : d);

/** Values that may be NULL in the messages and are '' in the rollups. */
export const NULLABLE_DIMS: ReadonlySet<string> = new Set(['model', 'user', 'host']);

/**
 * Reads one slice over the window, exactly: tier periods that fit (for a bucketed read, only tiers
 * whose width divides the bucket, so each period falls in one bucket) and raw messages for the rest.
 */
export function readRollup(
  store: MessageStore,
  f: MessageFilters,
  w: { from: number; to: number },
  read: RollupRead
): RolledRow[] {
  const bucket = read.bucketMs;
  const sliceTiers = sliceOf(read.slice).tiers;
  const tiers = bucket === undefined ? sliceTiers : sliceTiers.filter((t) => bucket % t.ms === 0);
  const merged = new Map<string, RolledRow>();
  const add = (b: number, keys: (string | null)[], v: number[], sketch: Uint8Array | null) => {
    const k = `${b}\u0000${keys.join('\u0000')}`;
    let acc = merged.get(k);
    if (!acc) {
      acc = { b, keys, v: read.measures.map(() => 0), sketch: read.sketch ? newDense() : null };
      merged.set(k, acc);
    }
    for (let i = 0; i < v.length; i++) acc.v[i] += v[i];
    if (acc.sketch) addInto(acc.sketch, sketch);
  };
  const dimConds = (prefix: string): { sql: string[]; params: string[] } => {
    const sql: string[] = [];
    const params: string[] = [];
    for (const d of ['model', 'status', 'category'] as const) {
      const vs = d === 'model' ? modelFilterValues(f.model) : f[d];
      if (!vs || vs.length === 0) continue;
      sql.push(`${prefix}${d} IN (${vs.map(() => '?').join(', ')})`);
      params.push(...vs);
    }
    if (f.endpoint !== undefined) {
      sql.push(`${prefix}endpoint = ?`);
      params.push(f.endpoint);
    }
    return { sql, params };
  };
  const measureCount = read.measures.length;
  for (const seg of segments(w.from, w.to, tiers)) {
    const bExpr = (t: string) => (bucket === undefined ? '0' : `(${t} / ${bucket}) * ${bucket}`);
    let sql: string;
    let params: (string | number)[];
    if (seg.tier) {
      const conds = dimConds('');
      const where = ` FROM ${rollupTable(read.slice, seg.tier.name)} WHERE ${['t >= ?', 't < ?', ...conds.sql].join(' AND ')}`;
      // With sketches the rows come back as stored and merge here (an SQL aggregate would decode and
      // re-encode every group through a JS callback); without, SQLite sums them.
      sql = read.sketch
        ? `SELECT ${bExpr('t')} AS b${read.groupBy.map((d) => `, ${q(d)}`).join('')}, ${read.measures.join(', ')}, sketch${where}`
        : `SELECT ${bExpr('t')} AS b${read.groupBy.map((d) => `, ${q(d)}`).join('')}, ` +
          read.measures.map((m) => `sum(${m})`).join(', ') +
          `${where} GROUP BY ${['b', ...read.groupBy.map(q)].join(', ')}`;
      params = [seg.from, seg.to, ...conds.params];
    } else {
      const where = buildWhere({ ...f, from: seg.from, to: seg.to });
      // The user slice's raw edges span up to 10 minutes: read them from the covering window index
      // (it holds user and every measure) rather than looking up each row.
      const from = read.slice === 'user' ? 'messages m INDEXED BY messages_window' : 'messages m';
      sql =
        `SELECT ${bExpr('m.started_at')} AS b${read.groupBy.map((d) => `, coalesce(m.${q(d)}, '')`).join('')}, ` +
        read.measures.map((m) => MEASURE_SQL[m]).join(', ') +
        (read.sketch ? ', sketch_of(m.duration_ms)' : '') +
        ` FROM ${from} ${where.sql} GROUP BY ${['b', ...read.groupBy.map((_, i) => i + 2)].join(', ')}`;
      params = where.params;
    }
    const rows = store
      .prepare(sql)
      .raw()
      .all(...params) as unknown[][];
    for (const r of rows) {
      const keys = read.groupBy.map((d, i) => {
        const k = r[1 + i] as string;
        return NULLABLE_DIMS.has(d) && k === '' ? null : k;
      });
      const v = r.slice(1 + read.groupBy.length, 1 + read.groupBy.length + measureCount) as number[];
      add(r[0] as number, keys, v, read.sketch ? (r[r.length - 1] as Uint8Array | null) : null);
    }
  }
  return [...merged.values()];
}

/** The distinct users (NULL not counted) of a window with time-only filters, from the user slice. */
export function distinctUsers(store: MessageStore, w: { from: number; to: number }): number {
  const seen = new Set<string>();
  for (const seg of segments(w.from, w.to, sliceOf('user').tiers)) {
    const users = (
      seg.tier
        ? store
            .prepare(
              `SELECT DISTINCT "user" FROM ${rollupTable('user', seg.tier.name)} WHERE t >= ? AND t < ?`
            )
            .pluck()
            .all(seg.from, seg.to)
        : store
            .prepare(
              'SELECT DISTINCT m.user FROM messages m INDEXED BY messages_window WHERE m.started_at >= ? AND m.started_at < ?'
            )
            .pluck()
            .all(seg.from, seg.to)
    ) as (string | null)[];
    for (const u of users) if (u !== null && u !== '') seen.add(u);
  }
  return seen.size;
}
