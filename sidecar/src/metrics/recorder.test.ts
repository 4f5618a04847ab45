import { Registry } from 'prom-client';
import type { MeasurementRecord, RequestStartInfo } from '../tap/record';
import { loadFixture } from '@ollama-lens/testkit/fixtures';
import { replayFixture } from '@ollama-lens/testkit/replay';
import { RECORD_T0, recordOf } from '@ollama-lens/testkit/records';
import { find, parseExposition, value, type ParsedExposition } from '../../test/metrics/exposition-reader';
import { renderMetrics, type ExpositionFormat } from './exposition';
import { Redactor } from '../store/redact';
import { BoundedLabel } from './labels';
import { createMetrics } from './metrics';
import { COLD_START_MIN_LOAD_MS, MetricsRecorder, type RecorderOptions } from './recorder';

function setup(opts: Partial<RecorderOptions> = {}) {
  const registry = new Registry();
  const full: RecorderOptions = {
    userLabel: false,
    userLabelLimit: 20,
    ollamaNumParallel: 1,
    ...opts,
  };
  const metrics = createMetrics(registry, { userLabel: full.userLabel });
  const errors: unknown[] = [];
  const recorder = new MetricsRecorder(metrics, { ...full, onError: (e) => errors.push(e) });
  const scrape = async (format: ExpositionFormat = 'prometheus'): Promise<ParsedExposition> =>
    parseExposition(await renderMetrics(registry, format));
  return { registry, metrics, recorder, scrape, errors };
}

const T0 = RECORD_T0;
const rec = recordOf;

function start(r: MeasurementRecord): RequestStartInfo {
  return { id: r.id, endpoint: r.endpoint, model: r.model, started_at: r.started_at };
}

/** Sum and count of a histogram series. */
function hist(exp: ParsedExposition, name: string, labels: Record<string, string>) {
  return { sum: value(exp, `${name}_sum`, labels), count: value(exp, `${name}_count`, labels) };
}

describe('MetricsRecorder with synthetic records', () => {
  it('counts requests by normalised model, endpoint and status, and observes the wall time', async () => {
    const { recorder, scrape } = setup();
    recorder.record(rec({ duration_ms: 250 }));
    recorder.record(rec({ requested_model: 'tiny:latest', duration_ms: 750 }));
    recorder.record(
      rec({
        endpoint: '/api/tags',
        path: '/api/tags',
        method: 'GET',
        requested_model: undefined,
        duration_ms: 3,
      })
    );
    recorder.record(
      rec({ status: 'error', http_status: 404, error_type: 'model_not_found', requested_model: 'missing' })
    );
    const exp = await scrape();
    expect(
      value(exp, 'ollama_requests_total', {
        model: 'tiny:latest',
        endpoint: '/api/generate',
        status: 'success',
      })
    ).toBe(2);
    expect(
      value(exp, 'ollama_requests_total', { model: 'unknown', endpoint: '/api/tags', status: 'success' })
    ).toBe(1);
    expect(
      value(exp, 'ollama_requests_total', {
        model: 'missing:latest',
        endpoint: '/api/generate',
        status: 'error',
      })
    ).toBe(1);
    expect(
      hist(exp, 'ollama_request_duration_seconds', { model: 'tiny:latest', endpoint: '/api/generate' })
    ).toEqual({ sum: 1, count: 2 });
    // 0.25 s lands in le=0.25, 0.75 s in le=0.75 (buckets are cumulative).
    expect(
      value(exp, 'ollama_request_duration_seconds_bucket', {
        model: 'tiny:latest',
        endpoint: '/api/generate',
        le: '0.1',
      })
    ).toBe(0);
    expect(
      value(exp, 'ollama_request_duration_seconds_bucket', {
        model: 'tiny:latest',
        endpoint: '/api/generate',
        le: '0.25',
      })
    ).toBe(1);
    expect(
      value(exp, 'ollama_request_duration_seconds_bucket', {
        model: 'tiny:latest',
        endpoint: '/api/generate',
        le: '0.75',
      })
    ).toBe(2);
    expect(
      value(exp, 'ollama_request_duration_seconds_bucket', {
        model: 'tiny:latest',
        endpoint: '/api/generate',
        le: '+Inf',
      })
    ).toBe(2);
  });

  it('counts errors by type, deriving the type from the status when the record has none', async () => {
    const { recorder, scrape } = setup();
    recorder.record(rec({ status: 'error', error_type: 'model_not_found', requested_model: 'missing' }));
    recorder.record(rec({ status: 'cancelled', error_type: 'cancelled' }));
    recorder.record(rec({ status: 'timeout' }));
    recorder.record(rec({ status: 'error' }));
    recorder.record(rec({ status: 'success' }));
    const exp = await scrape();
    const errors = find(exp, 'ollama_errors_total');
    expect(errors.map((s) => [s.labels.model, s.labels.error_type, s.value]).sort()).toEqual([
      ['missing:latest', 'model_not_found', 1],
      ['tiny:latest', 'cancelled', 1],
      ['tiny:latest', 'timeout', 1],
      ['tiny:latest', 'upstream_error', 1],
    ]);
  });

  it('observes time to first token for streams only, with the request id as exemplar', async () => {
    const { recorder, scrape } = setup();
    const streamed = rec({ stream: true, ttft_ms: 40, duration_ms: 400, output_tokens: 11, input_tokens: 5 });
    recorder.record(streamed);
    const nonStream = rec({ stream: false, ttft_ms: 1200, duration_ms: 1200 });
    recorder.record(nonStream);
    const exp = await scrape('openmetrics');
    expect(hist(exp, 'ollama_time_to_first_token_seconds', { model: 'tiny:latest' })).toEqual({
      sum: 0.04,
      count: 1,
    });
    const withExemplar = find(exp, 'ollama_time_to_first_token_seconds_bucket', {
      model: 'tiny:latest',
    }).filter((s) => s.exemplar);
    expect(withExemplar).toHaveLength(1);
    expect(withExemplar[0].labels.le).toBe('0.05');
    expect(withExemplar[0].exemplar).toMatchObject({ labels: { request_id: streamed.id }, value: 0.04 });
    // One exemplar per bucket: 0.4 s in le=0.5, 1.2 s in le=1.5.
    const durationExemplars = find(exp, 'ollama_request_duration_seconds_bucket').filter((s) => s.exemplar);
    expect(durationExemplars.map((s) => [s.labels.le, s.exemplar?.labels.request_id])).toEqual([
      ['0.5', streamed.id],
      ['1.5', nonStream.id],
    ]);
    // Prometheus text has no exemplars.
    const text = await scrape('prometheus');
    expect(text.samples.filter((s) => s.exemplar)).toEqual([]);
  });

  it('measures the generation span of a stream at the proxy and of a non-stream from eval_duration', async () => {
    const { recorder, scrape } = setup();
    // Stream: 11 tokens from 40 ms to 400 ms = 0.36 s, 10 gaps of 36 ms.
    recorder.record(
      rec({
        requested_model: 'a',
        stream: true,
        ttft_ms: 40,
        duration_ms: 400,
        output_tokens: 11,
        timings: { eval_count: 11, eval_duration_ns: 330e6 },
      })
    );
    // Non-stream: 20 tokens in eval_duration 0.5 s.
    recorder.record(
      rec({
        requested_model: 'b',
        stream: false,
        duration_ms: 700,
        output_tokens: 20,
        timings: { eval_count: 20, eval_duration_ns: 500e6, total_duration_ns: 690e6 },
      })
    );
    // No output tokens known (e.g. /v1 stream without usage): no span, so the seed's speed ratio stays exact.
    recorder.record(
      rec({ requested_model: 'c', stream: true, ttft_ms: 10, duration_ms: 100, token_source: 'none' })
    );
    const exp = await scrape();
    const a = hist(exp, 'ollama_streaming_duration_seconds', { model: 'a:latest' });
    expect(a.count).toBe(1);
    expect(a.sum).toBeCloseTo(0.36, 9);
    expect(hist(exp, 'ollama_time_per_output_token_seconds', { model: 'a:latest' }).sum).toBeCloseTo(
      0.036,
      9
    );
    // Ollama's own speed wins over the measured one when present: 11 / 0.33 s.
    expect(hist(exp, 'ollama_output_tokens_per_second', { model: 'a:latest' }).sum).toBeCloseTo(33.333333, 5);
    expect(hist(exp, 'ollama_streaming_duration_seconds', { model: 'b:latest' })).toEqual({
      sum: 0.5,
      count: 1,
    });
    expect(hist(exp, 'ollama_time_per_output_token_seconds', { model: 'b:latest' }).sum).toBeCloseTo(
      0.025,
      9
    );
    expect(hist(exp, 'ollama_output_tokens_per_second', { model: 'b:latest' }).sum).toBeCloseTo(40, 9);
    expect(hist(exp, 'ollama_streaming_duration_seconds', { model: 'c:latest' }).count).toBeUndefined();
    expect(hist(exp, 'ollama_time_to_first_token_seconds', { model: 'c:latest' }).count).toBe(1);
  });

  it("derives Ollama's phase histograms and the queue-time estimate from the timings", async () => {
    const { recorder, scrape } = setup();
    // Measured shape of a request that waited behind others (OLLAMA_NUM_PARALLEL=1): total 505.8 ms of
    // which load 1.6, prompt eval 0.4, eval 107.9; the remaining 395.9 ms is the wait.
    recorder.record(
      rec({
        timings: {
          total_duration_ns: 505_764_046,
          load_duration_ns: 1_550_984,
          prompt_eval_count: 63,
          prompt_eval_duration_ns: 438_923,
          eval_count: 20,
          eval_duration_ns: 107_857_812,
        },
        input_tokens: 63,
        output_tokens: 20,
        duration_ms: 563,
      })
    );
    const exp = await scrape();
    const m = { model: 'tiny:latest' };
    expect(hist(exp, 'ollama_load_duration_seconds', m).sum).toBeCloseTo(0.001550984, 12);
    expect(hist(exp, 'ollama_prompt_eval_duration_seconds', m).sum).toBeCloseTo(0.000438923, 12);
    expect(hist(exp, 'ollama_eval_duration_seconds', m).sum).toBeCloseTo(0.107857812, 12);
    expect(hist(exp, 'ollama_request_queue_time_seconds', m).sum).toBeCloseTo(0.395916327, 9);
    expect(value(exp, 'ollama_input_tokens_total', m)).toBe(63);
    expect(value(exp, 'ollama_output_tokens_total', m)).toBe(20);
    // A warm load is not a cold start.
    expect(value(exp, 'ollama_model_loads_total', m)).toBeUndefined();
  });

  it('reads the derived values from the record and computes none of them', async () => {
    const { recorder, scrape } = setup();
    // Values no formula over these timings gives: the recorder must take the record's own.
    recorder.record({
      ...rec({ input_tokens: 10, output_tokens: 4, stream: true, ttft_ms: 20, duration_ms: 100 }),
      model: 'canonical:v1',
      queue_ms: 7,
      generation_ms: 50,
      tokens_per_second: 3,
      cost: 0.25,
    });
    const exp = await scrape();
    const m = { model: 'canonical:v1' };
    expect(hist(exp, 'ollama_request_queue_time_seconds', m).sum).toBeCloseTo(0.007, 12);
    expect(hist(exp, 'ollama_streaming_duration_seconds', m).sum).toBeCloseTo(0.05, 12);
    expect(hist(exp, 'ollama_time_per_output_token_seconds', m).sum).toBeCloseTo(0.05 / 3, 12);
    expect(hist(exp, 'ollama_output_tokens_per_second', m).sum).toBe(3);
    expect(value(exp, 'ollama_cost_total', m)).toBe(0.25);
  });

  it('counts a cold start once per load, even when several requests waited on it', async () => {
    const { recorder, scrape } = setup();
    const load = (startedAt: number, loadMs: number, model = 'tiny') =>
      recorder.record(
        rec({
          requested_model: model,
          started_at: startedAt,
          timings: { load_duration_ns: loadMs * 1e6, total_duration_ns: (loadMs + 20) * 1e6 },
        })
      );
    load(T0, 300); // cold load ends at T0+300
    load(T0 + 120, 185); // arrived during the load: same load, ends at T0+305
    load(T0 + 10_000, 4); // warm
    load(T0 + 60_000, 280); // unloaded meanwhile: a second cold start
    load(T0, COLD_START_MIN_LOAD_MS - 1, 'tiny2'); // just under the threshold
    const exp = await scrape();
    expect(value(exp, 'ollama_model_loads_total', { model: 'tiny:latest' })).toBe(2);
    expect(value(exp, 'ollama_model_loads_total', { model: 'tiny2:latest' })).toBeUndefined();
    expect(hist(exp, 'ollama_load_duration_seconds', { model: 'tiny:latest' }).count).toBe(4);
  });

  it('adds the shadow cost from the price table', async () => {
    const { recorder, scrape } = setup();
    // The record carries its cost (tap/derive.ts); the recorder only adds it up.
    const prices = { tiny: { input: 0.5, output: 2 }, '*': { input: 1, output: 1 } };
    recorder.record(rec({ input_tokens: 1000, output_tokens: 500 }, prices)); // 0.0005 + 0.001
    recorder.record(
      rec({ requested_model: 'other-model', input_tokens: 2_000_000, output_tokens: 0 }, prices)
    ); // 2
    recorder.record(rec({ requested_model: 'x', token_source: 'none' }, prices)); // no tokens: no cost
    const exp = await scrape();
    expect(value(exp, 'ollama_cost_total', { model: 'tiny:latest' })).toBeCloseTo(0.0015, 12);
    expect(value(exp, 'ollama_cost_total', { model: 'other-model:latest' })).toBe(2);
    expect(value(exp, 'ollama_cost_total', { model: 'x:latest' })).toBeUndefined();
  });

  it('tracks requests in flight and estimates the queue beyond OLLAMA_NUM_PARALLEL per model', async () => {
    const { recorder, scrape } = setup({ ollamaNumParallel: 1 });
    const a = [rec({ requested_model: 'a' }), rec({ requested_model: 'a' }), rec({ requested_model: 'a' })];
    const b = [rec({ requested_model: 'b', endpoint: '/api/chat' })];
    const tags = rec({ requested_model: undefined, endpoint: '/api/tags' });
    for (const r of [...a, ...b, tags]) recorder.onRequestStart(start(r));
    let exp = await scrape();
    expect(value(exp, 'ollama_requests_in_flight', { model: 'a:latest' })).toBe(3);
    expect(value(exp, 'ollama_requests_in_flight', { model: 'b:latest' })).toBe(1);
    expect(value(exp, 'ollama_requests_in_flight', { model: 'unknown' })).toBe(1);
    // a: 3 in flight, 1 running, 2 waiting; b: 1 running; /api/tags never queues.
    expect(recorder.queueDepth()).toBe(2);
    for (const r of [...a, ...b, tags]) recorder.record(r);
    recorder.record(rec({ requested_model: 'a' })); // a record without a start does not go negative
    exp = await scrape();
    expect(find(exp, 'ollama_requests_in_flight').map((s) => s.value)).toEqual([0, 0, 0]);
    expect(recorder.queueDepth()).toBe(0);
    expect(recorder.inFlight.size).toBe(0);
  });

  it('keeps the model label a request started with, even if the record names it differently', async () => {
    const { recorder, scrape } = setup();
    const r = rec({ requested_model: 'tiny' });
    recorder.onRequestStart({ ...start(r), model: undefined });
    recorder.record(r);
    const exp = await scrape();
    expect(value(exp, 'ollama_requests_in_flight', { model: 'unknown' })).toBe(0);
    expect(
      value(exp, 'ollama_requests_total', { model: 'unknown', endpoint: '/api/generate', status: 'success' })
    ).toBe(1);
  });

  it('bounds the user label (first N users, then other) and labels anonymous requests unknown', async () => {
    const { recorder, scrape } = setup({ userLabel: true, userLabelLimit: 2 });
    for (const user of ['alice', 'bob', 'carol', 'alice', undefined, '  ']) recorder.record(rec({ user }));
    const exp = await scrape();
    const byUser = Object.fromEntries(
      find(exp, 'ollama_requests_total').map((s) => [s.labels.user, s.value])
    );
    expect(byUser).toEqual({ alice: 2, bob: 1, other: 1, unknown: 2 });
  });

  it('with a redactor, the user label shows the redacted user, never the secret', async () => {
    const { recorder, scrape } = setup({ userLabel: true, userLabelLimit: 5, redactor: new Redactor() });
    for (const user of ['maria.lopez@corp.example', 'jo@corp.example', 'alice'])
      recorder.record(rec({ user }));
    const exp = await scrape();
    const byUser = Object.fromEntries(
      find(exp, 'ollama_requests_total').map((s) => [s.labels.user, s.value])
    );
    expect(byUser).toEqual({ '[REDACTED:email]': 2, alice: 1 });
  });

  it('bounds model names Ollama does not have, but never the installed ones', async () => {
    const models = new BoundedLabel(2);
    models.pin('installed:latest');
    const { recorder, scrape } = setup({ models });
    for (const model of ['x1', 'x2', 'x3', 'installed', 'x4'])
      recorder.record(rec({ requested_model: model }));
    const exp = await scrape();
    const byModel = find(exp, 'ollama_requests_total')
      .map((s) => s.labels.model)
      .sort();
    expect(byModel).toEqual(['installed:latest', 'other', 'x1:latest', 'x2:latest']);
    expect(
      value(exp, 'ollama_requests_total', { model: 'other', endpoint: '/api/generate', status: 'success' })
    ).toBe(2);
  });

  it('observes the sidecar overhead', async () => {
    const { recorder, scrape } = setup();
    recorder.record(rec({ proxy_overhead_ms: 0.2 }));
    recorder.record(rec({ proxy_overhead_ms: 1.5 }));
    const exp = await scrape();
    expect(value(exp, 'ollama_sidecar_overhead_seconds_count')).toBe(2);
    expect(value(exp, 'ollama_sidecar_overhead_seconds_sum')).toBeCloseTo(0.0017, 12);
    expect(value(exp, 'ollama_sidecar_overhead_seconds_bucket', { le: '0.00025' })).toBe(1);
  });

  it('never throws and never records nonsense from broken numbers', async () => {
    const { recorder, scrape, errors } = setup();
    const broken = rec({
      duration_ms: NaN,
      ttft_ms: -5,
      stream: true,
      input_tokens: -3,
      output_tokens: Infinity,
      proxy_overhead_ms: NaN,
      timings: { load_duration_ns: NaN, eval_duration_ns: -1, total_duration_ns: Infinity },
    });
    expect(() => recorder.record(broken)).not.toThrow();
    expect(() => recorder.record({ ...rec(), id: undefined as unknown as string })).not.toThrow();
    expect(errors).toHaveLength(1); // the record without an id
    const exp = await scrape();
    expect(
      value(exp, 'ollama_requests_total', {
        model: 'tiny:latest',
        endpoint: '/api/generate',
        status: 'success',
      })
    ).toBe(1);
    for (const name of [
      'ollama_request_duration_seconds_count',
      'ollama_time_to_first_token_seconds_count',
      'ollama_load_duration_seconds_count',
    ]) {
      expect(find(exp, name)).toEqual([]);
    }
    expect(find(exp, 'ollama_input_tokens_total')).toEqual([]);
    expect(find(exp, 'ollama_output_tokens_total')).toEqual([]);
  });
});

/** A record built by the proxy's own Exchange from a recorded real Ollama answer. */
const recordFromFixture = (name: string, id: string) => replayFixture(name, { id });

function finalFrame(name: string): Record<string, number> {
  const lines = loadFixture(name).body.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, number>;
}

describe('MetricsRecorder with records from recorded Ollama answers', () => {
  it('native stream: tokens, phases, cold start and a measured first token', async () => {
    const { recorder, scrape } = setup();
    const { start: s, record } = recordFromFixture('generate-stream', 'fx-1');
    recorder.onRequestStart(s);
    recorder.record(record);
    const done = finalFrame('generate-stream');
    const exp = await scrape();
    const m = { model: 'tiny:latest' };
    expect(value(exp, 'ollama_requests_total', { ...m, endpoint: '/api/generate', status: 'success' })).toBe(
      1
    );
    expect(value(exp, 'ollama_output_tokens_total', m)).toBe(done.eval_count);
    expect(value(exp, 'ollama_input_tokens_total', m)).toBe(done.prompt_eval_count);
    expect(hist(exp, 'ollama_load_duration_seconds', m).sum).toBeCloseTo(done.load_duration / 1e9, 12);
    expect(hist(exp, 'ollama_eval_duration_seconds', m).sum).toBeCloseTo(done.eval_duration / 1e9, 12);
    expect(hist(exp, 'ollama_output_tokens_per_second', m).sum).toBeCloseTo(
      (done.eval_count * 1e9) / done.eval_duration,
      6
    );
    // This recording was the model's first inference (load_duration 316 ms): a cold start.
    expect(done.load_duration / 1e6).toBeGreaterThan(COLD_START_MIN_LOAD_MS);
    expect(value(exp, 'ollama_model_loads_total', m)).toBe(1);
    expect(hist(exp, 'ollama_time_to_first_token_seconds', m).count).toBe(1);
    expect(hist(exp, 'ollama_streaming_duration_seconds', m).count).toBe(1);
    expect(value(exp, 'ollama_requests_in_flight', m)).toBe(0);
  });

  it('native non-stream: no time to first token, generation span from eval_duration', async () => {
    const { recorder, scrape } = setup();
    recorder.record(recordFromFixture('chat-nostream', 'fx-2').record);
    const body = JSON.parse(loadFixture('chat-nostream').body) as Record<string, number>;
    const exp = await scrape();
    const m = { model: 'tiny:latest' };
    expect(hist(exp, 'ollama_time_to_first_token_seconds', m).count).toBeUndefined();
    expect(hist(exp, 'ollama_streaming_duration_seconds', m).sum).toBeCloseTo(body.eval_duration / 1e9, 12);
    expect(hist(exp, 'ollama_request_queue_time_seconds', m).sum).toBeCloseTo(
      (body.total_duration - body.load_duration - body.prompt_eval_duration - body.eval_duration) / 1e9,
      12
    );
    expect(value(exp, 'ollama_output_tokens_total', m)).toBe(body.eval_count);
  });

  it('/v1 stream with usage: tokens from usage, no Ollama phases, speed from the measured span', async () => {
    const { recorder, scrape } = setup();
    const { record } = recordFromFixture('v1-chat-stream-usage', 'fx-3');
    recorder.record(record);
    const exp = await scrape();
    const m = { model: 'tiny:latest' };
    expect(
      value(exp, 'ollama_requests_total', { ...m, endpoint: '/v1/chat/completions', status: 'success' })
    ).toBe(1);
    expect(value(exp, 'ollama_input_tokens_total', m)).toBe(71);
    expect(value(exp, 'ollama_output_tokens_total', m)).toBe(8);
    expect(hist(exp, 'ollama_load_duration_seconds', m).count).toBeUndefined();
    expect(hist(exp, 'ollama_streaming_duration_seconds', m).count).toBe(1);
    expect(hist(exp, 'ollama_output_tokens_per_second', m).count).toBe(
      record.duration_ms > (record.ttft_ms ?? Infinity) ? 1 : undefined
    );
  });

  it('missing model: an error of type model_not_found', async () => {
    const { recorder, scrape } = setup();
    recorder.record(recordFromFixture('error-generate-missing-model', 'fx-4').record);
    const exp = await scrape();
    expect(
      value(exp, 'ollama_errors_total', {
        model: 'missing:latest',
        endpoint: '/api/generate',
        error_type: 'model_not_found',
      })
    ).toBe(1);
    expect(
      value(exp, 'ollama_requests_total', {
        model: 'missing:latest',
        endpoint: '/api/generate',
        status: 'error',
      })
    ).toBe(1);
  });

  it('embed: input tokens and phases, no output tokens', async () => {
    const { recorder, scrape } = setup();
    recorder.record(recordFromFixture('embed-string', 'fx-5').record);
    const exp = await scrape();
    const m = { model: 'tiny:latest' };
    expect(value(exp, 'ollama_input_tokens_total', m)).toBe(12);
    expect(find(exp, 'ollama_output_tokens_total')).toEqual([]);
    expect(hist(exp, 'ollama_streaming_duration_seconds', m).count).toBeUndefined();
    expect(hist(exp, 'ollama_request_queue_time_seconds', m).count).toBe(1);
  });
});
