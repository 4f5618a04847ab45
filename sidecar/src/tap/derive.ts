/**
 * The values derived from one exchange, each computed once, here, by a small pure function; the
 * sinks (metrics, store, OpenTelemetry, log) only read them from the record. docs/metrics.md and
 * docs/api.md define each of them.
 */
import type { PriceTable } from '../config';
import { costSplitOf } from '../metrics/cost';
import { canonicalModelName } from '../metrics/labels';
import type { DerivedValues, MeasurementRecord, ObservedExchange, OllamaTimings } from './record';

function positive(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}

function nonNegative(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/**
 * Ollama's wait before working on the request, in milliseconds. Ollama's total_duration starts when
 * its handler gets the request; what is not load, prompt evaluation or generation is waiting (for a
 * parallel slot, mostly) plus a little tokenizing. Undefined without a total_duration (/v1 answers).
 * (The proxy's wall time beyond total_duration is network and proxy time, not queueing.)
 */
export function queueMs(t: OllamaTimings | undefined): number | undefined {
  if (!positive(t?.total_duration_ns)) return undefined;
  const work = (t.load_duration_ns ?? 0) + (t.prompt_eval_duration_ns ?? 0) + (t.eval_duration_ns ?? 0);
  return Math.max(0, t.total_duration_ns - work) / 1e6;
}

/** Whether the generation span is the proxy's own measure (a stream with a first token). */
export function generationMeasuredAtProxy(
  r: Pick<ObservedExchange, 'stream' | 'ttft_ms' | 'duration_ms'>
): boolean {
  return r.stream && nonNegative(r.ttft_ms) && r.duration_ms >= r.ttft_ms;
}

/**
 * The generation span, first output token to last, in milliseconds: the proxy's own measure for a
 * stream (wall time − time to first token), Ollama's eval_duration for an answer that arrived whole.
 */
export function generationMs(
  r: Pick<ObservedExchange, 'stream' | 'ttft_ms' | 'duration_ms' | 'timings'>
): number | undefined {
  if (generationMeasuredAtProxy(r)) return r.duration_ms - (r.ttft_ms as number);
  const evalNs = r.timings?.eval_duration_ns;
  return positive(evalNs) ? evalNs / 1e6 : undefined;
}

/**
 * Output tokens per second: Ollama's own eval_count / eval_duration when it reported them, else (a
 * /v1 answer, which carries no durations) the output tokens over the generation span.
 */
export function tokensPerSecond(
  t: OllamaTimings | undefined,
  outputTokens: number | undefined,
  generationSpanMs: number | undefined
): number | undefined {
  if (positive(t?.eval_count) && positive(t?.eval_duration_ns))
    return (t.eval_count * 1e9) / t.eval_duration_ns;
  if (positive(outputTokens) && positive(generationSpanMs)) return outputTokens / (generationSpanMs / 1000);
  return undefined;
}

/** Every derived value of one exchange. */
export function deriveValues(o: ObservedExchange, prices: PriceTable): DerivedValues {
  const model = canonicalModelName(o.requested_model);
  const generation = generationMs(o);
  const cost = costSplitOf(prices, model, o.input_tokens, o.output_tokens);
  return {
    model,
    queue_ms: queueMs(o.timings),
    generation_ms: generation,
    tokens_per_second: tokensPerSecond(o.timings, o.output_tokens, generation),
    cost: cost?.total,
    input_cost: cost?.input,
    output_cost: cost?.output,
  };
}

/**
 * The measurement record of an observed exchange: the observation with its derived values beside it
 * (absent ones left out, as everywhere in the record).
 */
export function measurementRecord(o: ObservedExchange, prices: PriceTable): MeasurementRecord {
  const record: MeasurementRecord = { ...o, ...deriveValues(o, prices) };
  for (const k of DERIVED_KEYS) if (record[k] === undefined) delete record[k];
  return record;
}

const DERIVED_KEYS = [
  'model',
  'queue_ms',
  'generation_ms',
  'tokens_per_second',
  'cost',
  'input_cost',
  'output_cost',
] as const satisfies readonly (keyof DerivedValues)[];
