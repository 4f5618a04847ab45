import { INFERENCE_ENDPOINTS, type ModelUsage } from '@ollama-lens/contracts';
import { SPEED_SAMPLE, type ModelUsageWindow } from '../model-usage';
import { newDense, quantiles } from '../sketch';
import { rows, type Queryable } from './pool';
import { readRollupPg } from './rollup';

/**
 * model-usage.ts on PostgreSQL: counts, tokens and latency sketches from the rollups' model slice;
 * the last use and the speed per model from the messages' (model, started_at) index.
 */

const USAGE_ENDPOINTS: ReadonlySet<string> = new Set(INFERENCE_ENDPOINTS);
const MEASURES = ['messages', 'errors', 'in_sum', 'out_sum'] as const;

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
  const found = await readRollupPg(
    db,
    { from: w.from, to: w.to },
    { from: w.from, to: w.to },
    { slice: 'dims', groupBy: ['model', 'endpoint'], measures: MEASURES, sketch: true }
  );
  const byModel = new Map<string, { v: number[]; sketch: Float64Array }>();
  for (const r of found) {
    const [model, endpoint] = r.keys;
    if (model === null || endpoint === null || !USAGE_ENDPOINTS.has(endpoint)) continue;
    let acc = byModel.get(model);
    if (!acc) {
      acc = { v: MEASURES.map(() => 0), sketch: newDense() };
      byModel.set(model, acc);
    }
    r.v.forEach((x, i) => (acc.v[i] += x));
    if (r.sketch) for (let i = 0; i < r.sketch.length; i++) acc.sketch[i] += r.sketch[i];
  }
  const out: ModelUsage[] = [];
  for (const [model, { v, sketch }] of byModel) {
    const [requests, errors, inputTokens, outputTokens] = v;
    if (requests <= 0) continue;
    const speed = (
      await rows<{ tokens: number | null; seconds: number | null }>(db, SPEED_SQL, [model, w.from, w.to])
    )[0];
    const last = (await rows<{ t: number | null }>(db, LAST_USED_SQL, [model, w.from, w.to]))[0];
    const [p50, p95] = quantiles(sketch, [0.5, 0.95]);
    out.push({
      model,
      requests,
      errors,
      error_rate: errors / requests,
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      tokens_per_second:
        speed.tokens !== null && speed.seconds !== null && speed.seconds > 0
          ? speed.tokens / speed.seconds
          : null,
      latency_p50_ms: p50,
      latency_p95_ms: p95,
      last_used: last.t ?? null,
    });
  }
  return out.sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}
