/**
 * The status line's view of the store: the recent window's counts, latency and speed, and the same for
 * the hour before it (what "usual" means). Read by a reader thread in the background every refresh, so
 * it never runs on the proxy's thread; on a busy day the hour holds ~40k messages, read from the
 * covering time index.
 */
import type Database from 'better-sqlite3';
import type { WindowStats } from '../status/rules';

/** The endpoints whose latency and speed mean "generation" (a model list or an embedding would skew them). */
const GENERATION_ENDPOINTS = ['/api/generate', '/api/chat', '/v1/chat/completions', '/v1/completions'];
const IN_GENERATION = `endpoint IN (${GENERATION_ENDPOINTS.map((e) => `'${e}'`).join(', ')})`;
/** Failures as the dashboard counts them: a cancelled request is the client's choice, not a failure. */
const FAILED = `status IN ('error', 'timeout')`;

export function windowStats(db: Database.Database, from: number, to: number): WindowStats {
  const counts = db
    .prepare(
      `SELECT count(*) AS requests, coalesce(sum(${FAILED}), 0) AS errors,
              coalesce(sum(${IN_GENERATION}), 0) AS generations
         FROM messages WHERE started_at >= ? AND started_at < ?`
    )
    .get(from, to) as { requests: number; errors: number; generations: number };
  const out: WindowStats = { requests: counts.requests, errors: counts.errors };
  if (counts.errors > 0) {
    const top = db
      .prepare(
        `SELECT error_type AS type, count(*) AS n FROM messages
          WHERE started_at >= ? AND started_at < ? AND ${FAILED} AND error_type IS NOT NULL
          GROUP BY error_type ORDER BY n DESC, error_type LIMIT 1`
      )
      .get(from, to) as { type: string } | undefined;
    if (top) out.topErrorType = top.type;
  }
  if (counts.generations > 0) {
    // The nearest-rank 95th percentile of the generations' durations.
    const rank = Math.max(0, Math.ceil(0.95 * counts.generations) - 1);
    const p95 = db
      .prepare(
        `SELECT duration_ms AS ms FROM messages
          WHERE started_at >= ? AND started_at < ? AND ${IN_GENERATION}
          ORDER BY duration_ms LIMIT 1 OFFSET ?`
      )
      .get(from, to, rank) as { ms: number } | undefined;
    if (p95) out.p95Ms = p95.ms;
    const speed = db
      .prepare(
        `SELECT avg(tokens_per_second) AS tps FROM messages
          WHERE started_at >= ? AND started_at < ? AND ${IN_GENERATION} AND tokens_per_second > 0`
      )
      .get(from, to) as { tps: number | null };
    if (speed.tps !== null) out.tokensPerSecond = speed.tps;
  }
  return out;
}

export interface StatusWindows {
  recent: WindowStats;
  baseline: WindowStats;
}

/** The recent window ending at `at`, and the hour before it. */
export function statusWindows(db: Database.Database, at: number, windowMinutes: number): StatusWindows {
  const start = at - windowMinutes * 60_000;
  return { recent: windowStats(db, start, at), baseline: windowStats(db, start - 3_600_000, start) };
}
