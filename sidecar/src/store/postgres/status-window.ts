import type { WindowStats } from '../../status/rules';
import type { StatusWindows } from '../status-window';
import { rows, type Queryable } from './pool';

/** status-window.ts on PostgreSQL (the same figures; FILTER clauses where SQLite sums booleans). */

const GENERATION_ENDPOINTS = ['/api/generate', '/api/chat', '/v1/chat/completions', '/v1/completions'];
const IN_GENERATION = `endpoint IN (${GENERATION_ENDPOINTS.map((e) => `'${e}'`).join(', ')})`;
const FAILED = `status IN ('error', 'timeout')`;

async function windowStats(db: Queryable, from: number, to: number): Promise<WindowStats> {
  const counts = (
    await rows<{ requests: number; errors: number; generations: number }>(
      db,
      `SELECT count(*) AS requests, count(*) FILTER (WHERE ${FAILED}) AS errors,
              count(*) FILTER (WHERE ${IN_GENERATION}) AS generations
         FROM messages WHERE started_at >= ? AND started_at < ?`,
      [from, to]
    )
  )[0];
  const out: WindowStats = { requests: counts.requests, errors: counts.errors };
  if (counts.errors > 0) {
    const top = await rows<{ type: string }>(
      db,
      `SELECT error_type AS type, count(*) AS n FROM messages
        WHERE started_at >= ? AND started_at < ? AND ${FAILED} AND error_type IS NOT NULL
        GROUP BY error_type ORDER BY n DESC, error_type LIMIT 1`,
      [from, to]
    );
    if (top[0]) out.topErrorType = top[0].type;
  }
  if (counts.generations > 0) {
    const rank = Math.max(0, Math.ceil(0.95 * counts.generations) - 1);
    const p95 = await rows<{ ms: number }>(
      db,
      `SELECT duration_ms AS ms FROM messages WHERE started_at >= ? AND started_at < ? AND ${IN_GENERATION}
        ORDER BY duration_ms LIMIT 1 OFFSET ?`,
      [from, to, rank]
    );
    if (p95[0]) out.p95Ms = p95[0].ms;
    const speed = await rows<{ tps: number | null }>(
      db,
      `SELECT avg(tokens_per_second) AS tps FROM messages
        WHERE started_at >= ? AND started_at < ? AND ${IN_GENERATION} AND tokens_per_second > 0`,
      [from, to]
    );
    if (speed[0].tps !== null) out.tokensPerSecond = speed[0].tps;
  }
  return out;
}

export async function statusWindowsPg(
  db: Queryable,
  at: number,
  windowMinutes: number
): Promise<StatusWindows> {
  const start = at - windowMinutes * 60_000;
  return {
    recent: await windowStats(db, start, at),
    baseline: await windowStats(db, start - 3_600_000, start),
  };
}
