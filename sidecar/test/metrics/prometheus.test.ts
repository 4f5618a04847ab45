/**
 * The metric contract from the reader's side: a real Prometheus scrapes a real sidecar (buildApp) in
 * front of a real Ollama while the test drives traffic; then every PromQL expression of seed 000's
 * overview design and alert rules must return data with plausible values, the exemplars must arrive,
 * and every example in docs/metrics.md must evaluate.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startOllama, type OllamaServer } from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { startPrometheus, type PromSample, type PrometheusServer } from '@ollama-lens/testkit/prometheus';

jest.setTimeout(180_000);

/** Seed 000's alert rules, verbatim. */
const SEED_ALERT_RULES = `groups:
  - name: ollama_alerts
    rules:
      - alert: HighErrorRate
        expr: sum(rate(ollama_requests_total{status="error"}[5m])) / sum(rate(ollama_requests_total[5m])) > 0.05
        for: 5m
        annotations:
          summary: "High error rate detected ({{ $value | humanizePercentage }})"

      - alert: HighLatency
        expr: histogram_quantile(0.95, sum by (le) (rate(ollama_request_duration_seconds_bucket[5m]))) > 5
        for: 10m
        annotations:
          summary: "P95 latency above 5 seconds"

      - alert: LowTokenThroughput
        expr: sum(rate(ollama_output_tokens_total[5m])) < 10
        for: 5m
        annotations:
          summary: "Token generation below 10 tokens/sec"
`;

/** Seed 000's overview queries, verbatim. */
const SEED = {
  requestRate: 'sum(rate(ollama_requests_total[5m])) * 60',
  avgLatency:
    'avg(rate(ollama_request_duration_seconds_sum[5m]) / rate(ollama_request_duration_seconds_count[5m]))',
  errorRate:
    'sum(rate(ollama_requests_total{status="error"}[5m])) / sum(rate(ollama_requests_total[5m])) * 100',
  tokenRate: 'sum(rate(ollama_output_tokens_total[5m]))',
  rateByModel: 'sum by (model) (rate(ollama_requests_total[5m]))',
  p50: 'histogram_quantile(0.5, sum by (le) (rate(ollama_request_duration_seconds_bucket[5m])))',
  p95: 'histogram_quantile(0.95, sum by (le) (rate(ollama_request_duration_seconds_bucket[5m])))',
  p99: 'histogram_quantile(0.99, sum by (le) (rate(ollama_request_duration_seconds_bucket[5m])))',
  ttftByModel:
    'histogram_quantile(0.5, sum by (model, le) (rate(ollama_time_to_first_token_seconds_bucket[5m])))',
  tokenSpeed:
    'sum by (model) (rate(ollama_output_tokens_total[5m])) / sum by (model) (rate(ollama_streaming_duration_seconds_sum[5m]))',
  activeModels: 'count(sum by (model) (increase(ollama_requests_total[1m])) > 0)',
  queueDepth: 'ollama_request_queue_depth',
  inputTokens: 'sum(rate(ollama_input_tokens_total[5m]))',
  outputTokens: 'sum(rate(ollama_output_tokens_total[5m]))',
  memory: 'ollama_model_memory_bytes',
  errorsByType: 'sum by (error_type) (rate(ollama_errors_total[5m]))',
  successRate:
    'sum(rate(ollama_requests_total{status="success"}[5m])) / sum(rate(ollama_requests_total[5m])) * 100',
} as const;

const MODEL = 'tiny';
const LABEL = 'tiny:latest';
const ROUNDS = 4;

let ollama: OllamaServer;
let sidecar: TestSidecar;
let prom: PrometheusServer;

const num = (s: PromSample) => Number(s.value[1]);
const one = (rs: PromSample[], where = ''): number => {
  if (rs.length !== 1) throw new Error(`expected one sample${where}, got ${JSON.stringify(rs)}`);
  return num(rs[0]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(
  path: string,
  body: object,
  headers: Record<string, string> = {},
  signal?: AbortSignal
): Promise<number> {
  const res = await request(`${sidecar.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  await res.body.text();
  return res.statusCode;
}

/** One round of mixed traffic; each round bumps every counter again, so rate() sees increases. */
async function round(i: number): Promise<void> {
  const options = { num_predict: 16, seed: i };
  const statuses = [
    await post(
      '/api/generate',
      { model: MODEL, prompt: `round ${i}`, stream: false, options },
      { 'x-user-id': 'alice' }
    ),
    await post('/api/generate', { model: MODEL, prompt: `stream ${i}`, options }, { 'x-user-id': 'bob' }),
    await post(
      '/api/chat',
      { model: MODEL, messages: [{ role: 'user', content: `chat ${i}` }], options },
      { 'x-user-id': 'alice' }
    ),
    await post('/api/chat', {
      model: MODEL,
      messages: [{ role: 'user', content: `chat ${i}` }],
      stream: false,
      options,
    }),
    await post('/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: `v1 ${i}` }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 16,
    }),
    await post('/api/embed', { model: MODEL, input: `embed ${i}` }),
    await post('/api/generate', { model: 'no-such-model', prompt: 'x' }),
  ];
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 404]);
}

/** A streamed request the client abandons while it waits behind two others (OLLAMA_NUM_PARALLEL=1). */
async function cancelOne(): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const busy = [1, 2].map(() =>
      post('/api/generate', {
        model: MODEL,
        prompt: 'keep busy',
        stream: false,
        options: { num_predict: 30 },
      })
    );
    const ac = new AbortController();
    const before = sidecar.started.length;
    const abandoned = post(
      '/api/generate',
      { model: MODEL, prompt: 'abandon me', options: { num_predict: 30 } },
      {},
      ac.signal
    ).catch(() => 0);
    // Abandon it once all three reached the sidecar (an abort before that leaves no record at all).
    for (let waited = 0; sidecar.started.length < before + 3 && waited < 10_000; waited += 5) await sleep(5);
    ac.abort();
    await Promise.all([...busy, abandoned]);
    const r = await sidecar.waitForRecord((x) => x.prompt?.prompt === 'abandon me', 10_000);
    if (r.status === 'cancelled') return;
  }
  throw new Error('could not cancel a request in 5 attempts');
}

beforeAll(async () => {
  // Its own Ollama: the first request pays a real cold load, and OLLAMA_NUM_PARALLEL is known.
  ollama = await startOllama({ numParallel: 1 });
  sidecar = await startSidecar(ollama.url, [
    '--poll-interval-ms',
    '500',
    '--user-label',
    '--ollama-num-parallel',
    '1',
    '--prices',
    '{"*":{"input":0.5,"output":1.5}}',
  ]);
  const rules = spawnSyncRules(SEED_ALERT_RULES);
  expect(rules.status).toBe(0);
  prom = await startPrometheus({
    target: new URL(sidecar.adminUrl).host,
    rules: { 'seed-alerts.yml': SEED_ALERT_RULES },
  });
  // Prometheus' discovery hands out targets only every few seconds: traffic must start after the first
  // scrape, or the counters' first samples already hold it all and rate() sees no increase.
  const firstScrape = Date.now() + 30_000;
  while ((await prom.query('up{job="ollama-lens"}')).length === 0) {
    if (Date.now() > firstScrape) throw new Error(`Prometheus never scraped the sidecar:\n${prom.logs()}`);
    await sleep(200);
  }

  for (let i = 0; i < ROUNDS; i++) {
    await round(i);
    if (i === 0) await cancelOne();
    await sleep(1200); // a scrape between rounds
  }
  // Wait until Prometheus has scraped everything the sidecar recorded.
  const end = Date.now() + 30_000;
  for (;;) {
    const total = await prom.query('sum(ollama_requests_total)');
    if (total.length && num(total[0]) === sidecar.records.length) break;
    if (Date.now() > end)
      throw new Error(`Prometheus never saw all ${sidecar.records.length} requests:\n${prom.logs()}`);
    await sleep(250);
  }
});

afterAll(async () => {
  await prom?.stop();
  await sidecar?.close();
  await ollama?.stop();
});

function spawnSyncRules(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-rules-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), text);
    return spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("seed 000's overview queries against a real Prometheus", () => {
  it('the scrape target is up, scraped as job ollama-lens', async () => {
    expect(one(await prom.query('up{job="ollama-lens"}'))).toBe(1);
    expect(one(await prom.query('ollama_up'))).toBe(1);
  });

  it('summary cards: request rate, average latency, error rate, token rate', async () => {
    const reqPerMin = one(await prom.query(SEED.requestRate));
    expect(reqPerMin).toBeGreaterThan(0);
    expect(reqPerMin).toBeLessThan(100_000);
    const avgLatency = one(await prom.query(SEED.avgLatency));
    expect(avgLatency).toBeGreaterThan(0);
    expect(avgLatency).toBeLessThan(30);
    const errorPct = one(await prom.query(SEED.errorRate));
    expect(errorPct).toBeGreaterThan(0);
    expect(errorPct).toBeLessThan(100);
    expect(one(await prom.query(SEED.tokenRate))).toBeGreaterThan(0);
  });

  it('performance: rate by model, latency percentiles, time to first token, generation speed', async () => {
    const byModel = await prom.query(SEED.rateByModel);
    const models = Object.fromEntries(byModel.map((s) => [s.metric.model, num(s)]));
    expect(models[LABEL]).toBeGreaterThan(0);
    expect(models['no-such-model:latest']).toBeGreaterThan(0);

    const [p50, p95, p99] = [
      one(await prom.query(SEED.p50)),
      one(await prom.query(SEED.p95)),
      one(await prom.query(SEED.p99)),
    ];
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(180);

    const ttft = (await prom.query(SEED.ttftByModel)).find((s) => s.metric.model === LABEL);
    expect(ttft && num(ttft)).toBeGreaterThan(0);
    expect(ttft && num(ttft)).toBeLessThan(30);

    // Tokens per second of generation: the tiny model on a CPU makes hundreds to thousands.
    const speed = (await prom.query(SEED.tokenSpeed)).find((s) => s.metric.model === LABEL);
    expect(speed && num(speed)).toBeGreaterThan(1);
    expect(speed && num(speed)).toBeLessThan(1_000_000);
  });

  it('resources: active models, queue depth, token usage, model memory', async () => {
    expect(one(await prom.query(SEED.activeModels))).toBeGreaterThanOrEqual(1);
    expect(one(await prom.query(SEED.queueDepth))).toBe(0); // traffic is over
    expect(one(await prom.query(SEED.inputTokens))).toBeGreaterThan(0);
    expect(one(await prom.query(SEED.outputTokens))).toBeGreaterThan(0);
    const memory = await prom.query(SEED.memory);
    const byLocation = Object.fromEntries(
      memory.filter((s) => s.metric.model === LABEL).map((s) => [s.metric.location, num(s)])
    );
    // A CPU-only machine: the whole model sits in RAM.
    expect(byLocation.vram).toBe(0);
    expect(byLocation.ram).toBeGreaterThan(100_000);
  });

  it('errors: by type, and the success rate complements the failure rate', async () => {
    const byType = Object.fromEntries(
      (await prom.query(SEED.errorsByType)).map((s) => [s.metric.error_type, num(s)])
    );
    expect(byType.model_not_found).toBeGreaterThan(0);
    expect(Object.keys(byType)).toContain('cancelled');
    const t = Date.now() / 1000; // one instant for both, so they share a denominator
    const success = one(await prom.query(SEED.successRate, t));
    const errorPct = one(await prom.query(SEED.errorRate, t));
    expect(success).toBeGreaterThan(50);
    expect(success + errorPct).toBeLessThanOrEqual(100 + 1e-9);
  });

  it('dashboard variables: models and users', async () => {
    const models = await prom.api<string[]>('/api/v1/label/model/values', {
      'match[]': 'ollama_requests_total',
    });
    expect(models).toEqual(expect.arrayContaining([LABEL]));
    const users = await prom.api<string[]>('/api/v1/label/user/values', {
      'match[]': 'ollama_requests_total',
    });
    expect(users).toEqual(expect.arrayContaining(['alice', 'bob', 'unknown']));
  });
});

describe("seed 000's alert rules", () => {
  it('load into Prometheus and evaluate without errors, in the state their expressions imply', async () => {
    interface Rule {
      name: string;
      query: string;
      health: string;
      lastError?: string;
      state: string;
      lastEvaluation: string;
    }
    let rules: Rule[] = [];
    const end = Date.now() + 15_000;
    for (;;) {
      const data = await prom.api<{ groups: { rules: Rule[] }[] }>('/api/v1/rules');
      rules = data.groups.flatMap((g) => g.rules);
      if (rules.length === 3 && rules.every((r) => r.health === 'ok' && !r.lastEvaluation.startsWith('0001')))
        break;
      if (Date.now() > end) throw new Error(`rules not evaluated: ${JSON.stringify(rules)}`);
      await sleep(250);
    }
    expect(rules.map((r) => r.name)).toEqual(['HighErrorRate', 'HighLatency', 'LowTokenThroughput']);
    for (const r of rules) expect(r.lastError ?? '').toBe('');

    // Each expression, and its left-hand side alone, at one instant: they must agree on the threshold.
    const t = Date.now() / 1000;
    const errorRatio = one(
      await prom.query(
        'sum(rate(ollama_requests_total{status="error"}[5m])) / sum(rate(ollama_requests_total[5m]))',
        t
      )
    );
    const p95 = one(await prom.query(SEED.p95, t));
    const tokens = one(await prom.query(SEED.tokenRate, t));
    for (const r of rules) {
      const fires = (await prom.query(r.query, t)).length > 0;
      const expected = {
        HighErrorRate: errorRatio > 0.05,
        HighLatency: p95 > 5,
        LowTokenThroughput: tokens < 10,
      }[r.name];
      expect({ rule: r.name, fires }).toEqual({ rule: r.name, fires: expected });
    }
    // Our traffic fails about 1 request in 7: the error-rate alert is pending (for: 5m). Nothing can
    // be firing yet: every rule waits at least 5 minutes and the test lasts well under one.
    expect(errorRatio).toBeGreaterThan(0.05);
    expect(rules.find((r) => r.name === 'HighErrorRate')?.state).toBe('pending');
    for (const r of rules) expect(['inactive', 'pending']).toContain(r.state);
  });
});

describe('beyond the seed queries', () => {
  it('exemplars carry the request ids of real requests into Prometheus', async () => {
    const now = Date.now() / 1000;
    const ids = new Set(sidecar.records.map((r) => r.id));
    for (const metric of [
      'ollama_request_duration_seconds_bucket',
      'ollama_time_to_first_token_seconds_bucket',
    ]) {
      const data = await prom.api<{ exemplars: { labels: Record<string, string>; value: string }[] }[]>(
        '/api/v1/query_exemplars',
        {
          query: metric,
          start: String(now - 600),
          end: String(now + 60),
        }
      );
      const exemplars = data.flatMap((d) => d.exemplars);
      expect(exemplars.length).toBeGreaterThan(0);
      for (const e of exemplars) expect(ids.has(e.labels.request_id)).toBe(true);
    }
  });

  it('counts the cold start of the first request, and the cost of the tokens', async () => {
    expect(one(await prom.query(`ollama_model_loads_total{model="${LABEL}"}`))).toBe(1);
    const inTok = one(await prom.query(`ollama_input_tokens_total{model="${LABEL}"}`));
    const outTok = one(await prom.query(`ollama_output_tokens_total{model="${LABEL}"}`));
    expect(one(await prom.query(`ollama_cost_total{model="${LABEL}"}`))).toBeCloseTo(
      (inTok * 0.5 + outTok * 1.5) / 1e6,
      12
    );
  });

  it('every example in docs/metrics.md evaluates', async () => {
    const doc = readFileSync(join(__dirname, '../../../docs/metrics.md'), 'utf8');
    const examples = [...doc.matchAll(/^\|\s*`(ollama_[a-z_]+)`\s*\|[^\n]*\|\s*`([^`]+)`\s*\|$/gm)].map(
      (m) => ({
        metric: m[1],
        expr: m[2],
      })
    );
    expect(examples.length).toBeGreaterThanOrEqual(36);
    const empty: string[] = [];
    for (const { metric, expr } of examples) {
      const result = await prom.query(expr); // throws on a PromQL error
      if (result.length === 0) empty.push(metric);
    }
    // Without a GPU, a CPU sensor, store drops or thread restarts, an Ollama outage, a spill, or a
    // freshly booted host, these examples have nothing to show; every other one does.
    const allowedEmpty = [
      'ollama_gpu_utilization_ratio',
      'ollama_gpu_memory_used_bytes',
      'ollama_gpu_memory_total_bytes',
      'ollama_gpu_temperature_celsius',
      'ollama_gpu_power_watts',
      'ollama_host_cpu_temperature_celsius',
      'ollama_store_dropped_total',
      'ollama_store_thread_restarts_total',
      'ollama_up',
      'ollama_model_memory_bytes',
      'ollama_host_uptime_seconds',
    ];
    expect(empty.filter((m) => !allowedEmpty.includes(m))).toEqual([]);
  });

  it('the exposition passes `promtool check metrics` after real traffic', async () => {
    const res = await request(`${sidecar.adminUrl}/metrics`);
    const body = await res.body.text();
    expect(body).toContain('ollama_requests_total{');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect({ status: check.status, out: `${check.stdout}${check.stderr}`.trim() }).toEqual({
      status: 0,
      out: '',
    });
  });
});
