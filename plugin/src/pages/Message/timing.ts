import type { Message } from '@ollama-lens/contracts';
import { nsToMs } from '../../utils/format';

/**
 * The parts of a request's wall time at the proxy. Ollama's total_duration holds the wait for a slot
 * (queue), the model load, the prompt evaluation and the generation; the proxy's wall time adds the
 * network and the proxy itself (docs/metrics.md, "Queue estimates").
 */
export type TimingKey = 'queue' | 'load' | 'prompt_eval' | 'generation' | 'network' | 'unmeasured';

export const TIMING_LABELS: Record<TimingKey, string> = {
  queue: 'Queue wait (estimate)',
  load: 'Model load',
  prompt_eval: 'Prompt evaluation',
  generation: 'Generation',
  network: 'Network & proxy',
  unmeasured: 'Not reported by Ollama',
};

export interface TimingSegment {
  key: TimingKey;
  label: string;
  ms: number;
}

export interface TimingBreakdown {
  segments: TimingSegment[];
  /** Length of the whole bar: the request's wall time, or the sum of the parts if Ollama reports more. */
  totalMs: number;
  /** Time to first token, when measured. */
  ttftMs: number | null;
}

/** Parts shorter than this are left off the bar (rounding between two clocks, not time spent). */
const MIN_PART_MS = 0.5;

/**
 * Splits a request's wall time into its parts. The queue wait is the stored estimate (total_duration −
 * load − prompt eval − eval, computed once by the sidecar); what the proxy measured beyond Ollama's
 * total_duration is network and proxy time. Parts Ollama did not report are left out, not guessed:
 * without a total_duration (e.g. /v1 answers) the rest of the wall time is shown as not reported.
 */
export function timingBreakdown(
  message: Pick<Message, 'duration_ms' | 'queue_ms' | 'timings' | 'ttft_ms'>
): TimingBreakdown {
  const t = message.timings;
  const parts: Array<[TimingKey, number | null]> = [
    ['queue', message.queue_ms],
    ['load', nsToMs(t?.load_duration_ns)],
    ['prompt_eval', nsToMs(t?.prompt_eval_duration_ns)],
    ['generation', nsToMs(t?.eval_duration_ns)],
  ];
  const segments: TimingSegment[] = parts
    .filter((p): p is [TimingKey, number] => p[1] !== null && p[1] > 0)
    .map(([key, ms]) => ({ key, label: TIMING_LABELS[key], ms }));
  const known = segments.reduce((sum, s) => sum + s.ms, 0);
  const rest = message.duration_ms - known;
  if (rest > MIN_PART_MS) {
    const key: TimingKey = nsToMs(t?.total_duration_ns) !== null ? 'network' : 'unmeasured';
    segments.push({ key, label: TIMING_LABELS[key], ms: rest });
  }
  return { segments, totalMs: Math.max(message.duration_ms, known), ttftMs: message.ttft_ms };
}
