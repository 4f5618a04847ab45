import type { MessageFilters } from '@ollama-lens/contracts';
import { modelFilterValues } from '../filters';
import { MEASURES, measuresOf, rollupTable, sliceOf } from '../measures';
import { NULLABLE_DIMS, segments, type RolledRow, type RollupRead } from '../rollup';
import { bucketOf, newDense } from '../sketch';
import { rows, type Queryable } from './pool';
import { addPairsInto } from './sketch';
import { pgWhere } from './where';

/**
 * rollup.ts readRollup on PostgreSQL: the same segments (whole tier periods from the rollups, raw
 * edges from the messages), so the same exact answers. The periods' measures are summed in SQL; their
 * sketches are collected with json_agg and added here (the schema's sketch_sum aggregate merges row by
 * row in SQL, 7x slower for a 24 h series); the raw edges (at most a couple of minutes, or ten at
 * each end for the user slice) are read as rows and folded with measures.ts measuresOf and sketch.ts
 * bucketOf, the very functions the write path uses.
 */

const q = (d: string) => (d === 'user' ? '"user"' : d);

interface RawRow {
  started_at: number;
  model: string | null;
  category: string;
  status: string;
  endpoint: string;
  user: string | null;
  host: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  duration_ms: number;
}

export async function readRollupPg(
  db: Queryable,
  f: MessageFilters,
  w: { from: number; to: number },
  read: RollupRead
): Promise<RolledRow[]> {
  const bucket = read.bucketMs;
  const sliceTiers = sliceOf(read.slice).tiers;
  const tiers = bucket === undefined ? sliceTiers : sliceTiers.filter((t) => bucket % t.ms === 0);
  const merged = new Map<string, RolledRow>();
  const acc = (b: number, keys: (string | null)[]): RolledRow => {
    const k = `${b}\u0000${keys.join('\u0000')}`;
    let a = merged.get(k);
    if (!a) {
      a = { b, keys, v: read.measures.map(() => 0), sketch: read.sketch ? newDense() : null };
      merged.set(k, a);
    }
    return a;
  };
  const keyOf = (d: string, k: string | null) =>
    NULLABLE_DIMS.has(d) && (k === '' || k === null) ? null : k;
  const dimConds = (): { sql: string[]; params: string[] } => {
    const sql: string[] = [];
    const params: string[] = [];
    for (const d of ['model', 'status', 'category'] as const) {
      const vs = d === 'model' ? modelFilterValues(f.model) : f[d];
      if (!vs || vs.length === 0) continue;
      sql.push(`${d} IN (${vs.map(() => '?').join(', ')})`);
      params.push(...vs);
    }
    if (f.endpoint !== undefined) {
      sql.push('endpoint = ?');
      params.push(f.endpoint);
    }
    return { sql, params };
  };
  const measureIdx = read.measures.map((m) => MEASURES.indexOf(m));
  const segs = segments(w.from, w.to, tiers);

  // Every whole period in ONE statement: a part per tier (its periods OR-ed), joined by UNION ALL. Read
  // one by one, a 24 h window's few dozen periods cost a round trip each, which dominated the answer.
  const parts: string[] = [];
  const params: unknown[] = [];
  const conds = dimConds();
  const b = bucket === undefined ? '0' : `(t / ${bucket}) * ${bucket}`;
  for (const tier of tiers) {
    const periods = segs.filter((seg) => seg.tier?.name === tier.name);
    if (periods.length === 0) continue;
    const time = `(${periods.map(() => '(t >= ? AND t < ?)').join(' OR ')})`;
    parts.push(
      `SELECT ${b} AS b${read.groupBy.map((d) => `, ${q(d)} AS k_${d}`).join('')}, ` +
        read.measures.map((m) => `sum(${m}) AS ${m}`).join(', ') +
        (read.sketch ? ', json_agg(sketch) AS sketches' : '') +
        ` FROM ${rollupTable(read.slice, tier.name)} WHERE ${[time, ...conds.sql].join(' AND ')}` +
        ` GROUP BY ${['1', ...read.groupBy.map(q)].join(', ')}`
    );
    params.push(...periods.flatMap((seg) => [seg.from, seg.to]), ...conds.params);
  }
  if (parts.length > 0) {
    const found = await rows<Record<string, number | string | number[][] | null>>(
      db,
      parts.join(' UNION ALL '),
      params
    );
    for (const r of found) {
      const a = acc(
        r.b as number,
        read.groupBy.map((d) => keyOf(d, r[`k_${d}`] as string))
      );
      read.measures.forEach((m, i) => (a.v[i] += r[m] as number));
      if (a.sketch) for (const pairs of r.sketches as number[][]) addPairsInto(a.sketch, pairs);
    }
  }

  // The raw edges (partial minutes at each end) from the messages themselves.
  for (const seg of segs) {
    if (seg.tier) continue;
    const where = pgWhere({ ...f, from: seg.from, to: seg.to });
    if (where.empty) continue;
    const found = await rows<RawRow>(
      db,
      'SELECT m.started_at, m.model, m.category, m.status, m.endpoint, m."user", m.host, m.input_tokens, ' +
        `m.output_tokens, m.cost, m.duration_ms FROM messages m ${where.sql}`,
      where.params
    );
    for (const r of found) {
      const bk = bucket === undefined ? 0 : Math.floor(r.started_at / bucket) * bucket;
      const a = acc(
        bk,
        read.groupBy.map((d) => keyOf(d, r[d] ?? ''))
      );
      const v = measuresOf(r);
      for (let i = 0; i < measureIdx.length; i++) a.v[i] += v[measureIdx[i]];
      if (a.sketch) a.sketch[bucketOf(r.duration_ms)] += 1;
    }
  }
  return [...merged.values()];
}

/** rollup.ts distinctUsers on PostgreSQL: the distinct users (NULL not counted) of a time window. */
export async function distinctUsersPg(db: Queryable, w: { from: number; to: number }): Promise<number> {
  const seen = new Set<string>();
  for (const seg of segments(w.from, w.to, sliceOf('user').tiers)) {
    const found = await rows<{ u: string | null }>(
      db,
      seg.tier
        ? `SELECT DISTINCT "user" AS u FROM ${rollupTable('user', seg.tier.name)} WHERE t >= ? AND t < ?`
        : 'SELECT DISTINCT m."user" AS u FROM messages m WHERE m.started_at >= ? AND m.started_at < ?',
      [seg.from, seg.to]
    );
    for (const r of found) if (r.u !== null && r.u !== '') seen.add(r.u);
  }
  return seen.size;
}
