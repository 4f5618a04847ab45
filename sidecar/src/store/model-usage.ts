/**
 * The Models page's usage table (seed 003's per-model statistics): for each model, over a window,
 * requests, errors, tokens in and out, tokens per second, p50/p95 latency and when it was last used.
 *
 * Counts, tokens and latency come from the rollups' model slice (rollup.ts): exact counts and sums,
 * percentiles from the merged latency sketches (within sketch.ts RELATIVE_ERROR), at a cost that does
 * not grow with the window. The two figures the rollups do not hold are read per model from the
 * messages through the (model, started_at) index: the last use (one index probe) and the speed (the
 * newest SPEED_SAMPLE requests of the window, a bounded read however busy the model was).
 *
 * A named reader-thread query (reader-thread.ts READ_QUERIES `modelUsage`): plain data in and out, so
 * another store backend answers the same call.
 */
import { INFERENCE_ENDPOINTS, type ModelUsage } from '@ollama-lens/contracts';
import { readRollup, type RolledRow, type RollupRead } from './rollup';
import { newDense, quantiles } from './sketch';
import type { MessageStore } from './store';

/** The window, in epoch ms: `from` inclusive, `to` exclusive. */
export interface ModelUsageWindow {
  from: number;
  to: number;
}

/** How many of a model's newest requests in the window its tokens per second are computed over. */
export const SPEED_SAMPLE = 2000;

/**
 * Only requests that ran the model count as its use: generate, chat, embeddings (native and /v1).
 * Management requests name a model too (show, pull, copy, delete) but say nothing of how it performs.
 */
const USAGE_ENDPOINTS: ReadonlySet<string> = new Set(INFERENCE_ENDPOINTS);

const MEASURES = ['messages', 'errors', 'in_sum', 'out_sum'] satisfies RollupRead['measures'];

/**
 * Total output tokens over total generation time: each request's generation time is its tokens over
 * its own rate (tap/derive.ts tokensPerSecond: Ollama's eval counters, or the /v1 generation span), so
 * a long answer weighs as much as its tokens, not as one request.
 */
const SPEED_SQL = `
  SELECT sum(n), sum(n / tps) FROM (
    SELECT coalesce(eval_count, output_tokens) AS n, tokens_per_second AS tps
    FROM messages INDEXED BY messages_model
    WHERE model = ? AND started_at >= ? AND started_at < ?
    ORDER BY started_at DESC
    LIMIT ${SPEED_SAMPLE}
  ) WHERE n > 0 AND tps > 0`;

const LAST_USED_SQL = `
  SELECT max(started_at) FROM messages INDEXED BY messages_model
  WHERE model = ? AND started_at >= ? AND started_at < ?`;

/** What the usage table reads from the rollups: the model slice by model and endpoint, with sketches. */
export const USAGE_ROLLUP_READ: RollupRead = {
  slice: 'dims',
  groupBy: ['model', 'endpoint'],
  measures: MEASURES,
  sketch: true,
};

export interface ModelTotals {
  /** MEASURES, in order. */
  v: number[];
  sketch: Float64Array;
}

/** The rollup rows of USAGE_ROLLUP_READ summed per model, over the endpoints that ran it. */
export function totalsByModel(rows: readonly RolledRow[]): Map<string, ModelTotals> {
  const byModel = new Map<string, ModelTotals>();
  for (const r of rows) {
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
  return byModel;
}

/** One model's row from its totals and the two figures read from its messages; null without requests. */
export function usageRow(
  model: string,
  { v, sketch }: ModelTotals,
  speed: { tokens: number | null; seconds: number | null },
  lastUsed: number | null
): ModelUsage | null {
  const [requests, errors, inputTokens, outputTokens] = v;
  if (requests <= 0) return null;
  const [p50, p95] = quantiles(sketch, [0.5, 0.95]);
  const { tokens, seconds } = speed;
  return {
    model,
    requests,
    errors,
    error_rate: errors / requests,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    tokens_per_second: tokens !== null && seconds !== null && seconds > 0 ? tokens / seconds : null,
    latency_p50_ms: p50,
    latency_p95_ms: p95,
    last_used: lastUsed,
  };
}

/** Busiest first, then by name. */
export const byUsage = (a: ModelUsage, b: ModelUsage): number =>
  b.requests - a.requests || a.model.localeCompare(b.model);

/** Per model (canonical name), over the window, busiest first; models without a name are left out. */
export function modelUsage(store: MessageStore, w: ModelUsageWindow): ModelUsage[] {
  if (!(w.to > w.from)) return [];
  const totals = totalsByModel(readRollup(store, { from: w.from, to: w.to }, w, USAGE_ROLLUP_READ));
  const speed = store.prepare(SPEED_SQL).raw();
  const lastUsed = store.prepare(LAST_USED_SQL).pluck();
  const out: ModelUsage[] = [];
  for (const [model, t] of totals) {
    const [tokens, seconds] = speed.get(model, w.from, w.to) as [number | null, number | null];
    const row = usageRow(
      model,
      t,
      { tokens, seconds },
      (lastUsed.get(model, w.from, w.to) as number | null) ?? null
    );
    if (row) out.push(row);
  }
  return out.sort(byUsage);
}
