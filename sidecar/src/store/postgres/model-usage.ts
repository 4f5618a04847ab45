import type { ModelUsage } from '@ollama-lens/contracts';
import {
  byUsage,
  SPEED_SAMPLE,
  totalsByModel,
  usageRow,
  USAGE_ROLLUP_READ,
  type ModelUsageWindow,
} from '../model-usage';
import { rows, type Queryable } from './pool';
import { readRollupPg } from './rollup';

/**
 * model-usage.ts on PostgreSQL: counts, tokens and latency sketches from the rollups' model slice;
 * the last use and the speed per model from the messages' (model, started_at) index.
 */

const SPEED_SQL = `
  SELECT sum(n) AS tokens, sum(n / tps) AS seconds FROM (
    SELECT coalesce(eval_count, output_tokens) AS n, tokens_per_second AS tps FROM messages
    WHERE model = ? AND started_at >= ? AND started_at < ?
    ORDER BY started_at DESC
    LIMIT ${SPEED_SAMPLE}
  ) x WHERE n > 0 AND tps > 0`;

const LAST_USED_SQL =
  'SELECT max(started_at) AS t FROM messages WHERE model = ? AND started_at >= ? AND started_at < ?';

export async function modelUsagePg(db: Queryable, w: ModelUsageWindow): Promise<ModelUsage[]> {
  if (!(w.to > w.from)) return [];
  const totals = totalsByModel(await readRollupPg(db, { from: w.from, to: w.to }, w, USAGE_ROLLUP_READ));
  const out: ModelUsage[] = [];
  for (const [model, t] of totals) {
    const [speed] = await rows<{ tokens: number | null; seconds: number | null }>(db, SPEED_SQL, [
      model,
      w.from,
      w.to,
    ]);
    const [last] = await rows<{ t: number | null }>(db, LAST_USED_SQL, [model, w.from, w.to]);
    const row = usageRow(model, t, speed, last.t ?? null);
    if (row) out.push(row);
  }
  return out.sort(byUsage);
}
