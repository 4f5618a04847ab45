import { replayFixture } from '@ollama-lens/testkit/replay';
import { deriveValues, generationMs, measurementRecord, queueMs, tokensPerSecond } from './derive';
import type { ObservedExchange } from './record';

const observed = (over: Partial<ObservedExchange> = {}): ObservedExchange => ({
  id: 'x',
  method: 'POST',
  path: '/api/chat',
  endpoint: '/api/chat',
  flavor: 'ollama',
  requested_model: 'tiny',
  stream: true,
  started_at: 1_790_000_000_000,
  ttft_ms: 40,
  ended_at: 1_790_000_000_120,
  duration_ms: 120,
  status: 'success',
  http_status: 200,
  request_bytes: 10,
  response_bytes: 100,
  input_tokens: 24,
  output_tokens: 8,
  token_source: 'ollama',
  timings: {
    total_duration_ns: 95e6,
    load_duration_ns: 12e6,
    prompt_eval_count: 24,
    prompt_eval_duration_ns: 20e6,
    eval_count: 8,
    eval_duration_ns: 40e6,
  },
  capture_content: true,
  ...over,
});

describe('the queue estimate (docs/metrics.md): total_duration − load − prompt eval − eval', () => {
  it('is what Ollama spent on the request beyond its work, never the wall time beyond total_duration', () => {
    // 95 ms inside Ollama, 72 of them working: 23 ms waiting. (The 25 ms of wall time beyond
    // total_duration are the network and the proxy.)
    expect(queueMs(observed().timings)).toBeCloseTo(23, 9);
  });

  it('is never negative, and unknown without a total_duration (/v1 answers carry none)', () => {
    expect(queueMs({ total_duration_ns: 10e6, eval_duration_ns: 11e6 })).toBe(0);
    expect(queueMs({ eval_duration_ns: 11e6 })).toBeUndefined();
    expect(queueMs(undefined)).toBeUndefined();
    // Parts Ollama did not report count as no work.
    expect(queueMs({ total_duration_ns: 10e6 })).toBe(10);
  });
});

describe('tokens per second', () => {
  it("is Ollama's eval_count / eval_duration when it reported them", () => {
    expect(tokensPerSecond({ eval_count: 8, eval_duration_ns: 40e6 }, 8, 80)).toBeCloseTo(200, 9);
  });

  it('falls back to the output tokens over the generation span (a /v1 stream: no durations)', () => {
    const r = observed({ flavor: 'openai', timings: undefined, token_source: 'openai_usage' });
    expect(generationMs(r)).toBe(80);
    expect(tokensPerSecond(r.timings, r.output_tokens, generationMs(r))).toBeCloseTo(100, 9);
    // An answer that arrived whole: the span is Ollama's eval_duration.
    expect(generationMs(observed({ stream: false, ttft_ms: undefined }))).toBe(40);
    expect(tokensPerSecond(undefined, 8, undefined)).toBeUndefined();
    expect(tokensPerSecond(undefined, 0, 80)).toBeUndefined();
  });
});

describe('the derived values of a record', () => {
  it('carries the canonical model beside the name as requested, and the cost at the configured prices', () => {
    const d = deriveValues(observed(), { 'tiny:latest': { input: 1, output: 2 } });
    expect(d).toEqual({
      model: 'tiny:latest',
      queue_ms: expect.closeTo(23, 9),
      generation_ms: 80,
      tokens_per_second: expect.closeTo(200, 9),
      cost: (24 * 1 + 8 * 2) / 1e6,
      input_cost: (24 * 1) / 1e6,
      output_cost: (8 * 2) / 1e6,
    });
    const r = measurementRecord(
      observed({
        requested_model: undefined,
        timings: undefined,
        output_tokens: undefined,
        input_tokens: undefined,
      }),
      {}
    );
    expect(r.requested_model).toBeUndefined();
    // Unknown values are absent, as everywhere in the record.
    for (const k of ['model', 'queue_ms', 'tokens_per_second', 'cost', 'input_cost', 'output_cost'] as const)
      expect(k in r).toBe(false);
  });
});

describe('a queued pair recorded from the real Ollama (OLLAMA_NUM_PARALLEL=1)', () => {
  const first = replayFixture('generate-queued-first').record;
  const second = replayFixture('generate-queued-second').record;

  it('gives the request that waited for the other a large queue estimate and the other about none', () => {
    const t = first.timings!;
    const firstWorkMs =
      ((t.load_duration_ns ?? 0) + (t.prompt_eval_duration_ns ?? 0) + (t.eval_duration_ns ?? 0)) / 1e6;
    expect(first.queue_ms).toBeLessThan(5);
    // The second waited while the first was generating.
    expect(second.queue_ms).toBeGreaterThan(firstWorkMs / 2);
    expect(second.queue_ms).toBeGreaterThan(20 * first.queue_ms!);
    expect(second.model).toBe('tiny:latest');
    expect(second.requested_model).toBe('tiny');
  });
});
