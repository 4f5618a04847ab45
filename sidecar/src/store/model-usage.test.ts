import { recordOf } from '@ollama-lens/testkit/records';
import { tempStore, type TempStore } from '../../test/store/helpers';
import type { MeasurementRecord } from '../tap/record';
import { modelUsage } from './model-usage';
import { RELATIVE_ERROR } from './sketch';

const HOUR = 3_600_000;
/** Not aligned to a minute, so the rollups' tiers and both raw edges take part. */
const FROM = 1_790_000_000_000 + 37_123;
const TO = FROM + 30 * HOUR + 611_777;

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
const within = (got: number | null, want: number) =>
  got !== null && Math.abs(got - want) <= RELATIVE_ERROR * want + 1e-9;

/** A deterministic spread of values (Park–Miller), so the expected figures are fixed. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
}

let temp: TempStore;
let records: MeasurementRecord[];

beforeAll(() => {
  temp = tempStore();
  const r = random(7);
  records = [];
  const statuses = ['success', 'success', 'success', 'success', 'error', 'timeout', 'cancelled'] as const;
  // tiny: native generate and chat with Ollama's counters, over the whole window and a little beyond it.
  for (let i = 0; i < 400; i++) {
    const status = statuses[i % statuses.length];
    const evalCount = 5 + Math.floor(r() * 200);
    records.push(
      recordOf({
        started_at: FROM - HOUR + Math.floor(r() * (TO - FROM + 2 * HOUR)),
        duration_ms: 5 + r() * 20_000,
        endpoint: i % 2 ? '/api/chat' : '/api/generate',
        status,
        http_status: status === 'success' ? 200 : 500,
        input_tokens: 10 + Math.floor(r() * 500),
        output_tokens: status === 'success' ? evalCount : undefined,
        timings:
          status === 'success'
            ? { eval_count: evalCount, eval_duration_ns: Math.round(evalCount * (5e6 + r() * 5e7)) }
            : undefined,
      })
    );
  }
  // tiny2: /v1 chat without Ollama's counters (no speed known), all inside the window.
  for (let i = 0; i < 50; i++) {
    records.push(
      recordOf({
        requested_model: 'tiny2',
        started_at: FROM + Math.floor(r() * (TO - FROM)),
        duration_ms: 50 + r() * 500,
        endpoint: '/v1/chat/completions',
        input_tokens: 3,
        output_tokens: 4,
      })
    );
  }
  // Not usage: management requests naming a model, and requests naming none.
  for (let i = 0; i < 20; i++) {
    records.push(recordOf({ started_at: FROM + i * HOUR, endpoint: '/api/show', duration_ms: 1 }));
    records.push(
      recordOf({
        started_at: FROM + i * HOUR,
        endpoint: '/api/tags',
        requested_model: undefined,
        duration_ms: 1,
      })
    );
  }
  // On the window's edges: `from` is in, `to` is out.
  records.push(recordOf({ requested_model: 'edge', started_at: FROM, duration_ms: 10 }));
  records.push(recordOf({ requested_model: 'edge', started_at: TO, duration_ms: 10 }));
  temp.add(records);
});

afterAll(() => temp.cleanup());

const USAGE = new Set(['/api/generate', '/api/chat', '/v1/chat/completions']);

/** The figures computed from the records themselves. */
function expected(model: string) {
  const rs = records.filter(
    (x) => x.model === model && USAGE.has(x.endpoint) && x.started_at >= FROM && x.started_at < TO
  );
  const errors = rs.filter((x) => x.status === 'error' || x.status === 'timeout').length;
  const sorted = rs.map((x) => x.duration_ms).sort((a, b) => a - b);
  const timed = rs.filter((x) => x.tokens_per_second);
  const tokens = timed.reduce((a, x) => a + (x.timings?.eval_count ?? x.output_tokens ?? 0), 0);
  const seconds = timed.reduce(
    (a, x) => a + (x.timings?.eval_count ?? x.output_tokens ?? 0) / x.tokens_per_second!,
    0
  );
  return {
    requests: rs.length,
    errors,
    error_rate: errors / rs.length,
    input_tokens: rs.reduce((a, x) => a + (x.input_tokens ?? 0), 0),
    output_tokens: rs.reduce((a, x) => a + (x.output_tokens ?? 0), 0),
    p50: nearestRank(sorted, 0.5),
    p95: nearestRank(sorted, 0.95),
    tokens_per_second: timed.length ? tokens / seconds : null,
    last_used: Math.max(...rs.map((x) => x.started_at)),
  };
}

describe('model usage over a window', () => {
  test('per model: exact counts, tokens, speed and last use; percentiles within the sketch error', () => {
    const usage = modelUsage(temp.store, { from: FROM, to: TO });
    expect(usage.map((u) => u.model)).toEqual(['tiny:latest', 'tiny2:latest', 'edge:latest']);
    for (const u of usage.slice(0, 2)) {
      const want = expected(u.model);
      expect(u).toMatchObject({
        requests: want.requests,
        errors: want.errors,
        input_tokens: want.input_tokens,
        output_tokens: want.output_tokens,
        last_used: want.last_used,
      });
      expect(u.error_rate).toBeCloseTo(want.error_rate, 12);
      expect(within(u.latency_p50_ms, want.p50)).toBe(true);
      expect(within(u.latency_p95_ms, want.p95)).toBe(true);
      if (want.tokens_per_second === null) expect(u.tokens_per_second).toBeNull();
      else expect(u.tokens_per_second).toBeCloseTo(want.tokens_per_second, 6);
    }
    // Cancelled requests count as requests but not as errors (the client's choice).
    const tiny = expected('tiny:latest');
    expect(tiny.requests).toBeGreaterThan(300);
    expect(tiny.errors).toBeLessThan(tiny.requests * 0.3);
    expect(usage[0].tokens_per_second).toBeGreaterThan(0);
    // tiny2's /v1 requests carry tokens but no counters or first-token time: no speed to report.
    expect(usage[1]).toMatchObject({
      requests: 50,
      errors: 0,
      error_rate: 0,
      output_tokens: 200,
      tokens_per_second: null,
    });
    expect(usage[2]).toMatchObject({ model: 'edge:latest', requests: 1, last_used: FROM });
  });

  test('an empty or inverted window has no usage', () => {
    expect(modelUsage(temp.store, { from: TO + 10 * HOUR, to: TO + 20 * HOUR })).toEqual([]);
    expect(modelUsage(temp.store, { from: TO, to: FROM })).toEqual([]);
  });
});
