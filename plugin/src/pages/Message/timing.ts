import type { Message } from '@ollama-lens/contracts';
import { nsToMs } from '../../utils/format';

export type TimingKey = 'queue' | 'load' | 'prompt_eval' | 'generation' | 'other';

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

/**
 * Splits a request's wall time into queue (estimate), model load, prompt evaluation, generation and
 * the rest (network, proxy, tokenizer). Parts Ollama did not report are left out, not guessed.
 */
export function timingBreakdown(
  message: Pick<Message, 'duration_ms' | 'queue_ms' | 'timings' | 'ttft_ms'>
): TimingBreakdown {
  const t = message.timings;
  const parts: Array<[TimingKey, string, number | null]> = [
    ['queue', 'Queue (estimate)', message.queue_ms],
    ['load', 'Model load', nsToMs(t?.load_duration_ns)],
    ['prompt_eval', 'Prompt evaluation', nsToMs(t?.prompt_eval_duration_ns)],
    ['generation', 'Generation', nsToMs(t?.eval_duration_ns)],
  ];
  const segments: TimingSegment[] = parts
    .filter((p): p is [TimingKey, string, number] => p[2] !== null && p[2] > 0)
    .map(([key, label, ms]) => ({ key, label, ms }));
  const known = segments.reduce((sum, s) => sum + s.ms, 0);
  const rest = message.duration_ms - known;
  if (rest > 0.5) {
    segments.push({ key: 'other', label: 'Other (network, proxy, tokenizer)', ms: rest });
  }
  return { segments, totalMs: Math.max(message.duration_ms, known), ttftMs: message.ttft_ms };
}
