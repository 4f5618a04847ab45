/**
 * The whole metrics path for real: a sidecar (buildApp) in front of the shared real Ollama, scraped every second
 * by a real Prometheus (Debian's) that runs prometheus/prometheus.yml with the generated alert rules. After
 * driving traffic (generate and chat, streamed and not, two models, failing requests), every query of the
 * generated Overview dashboard and every alert expression is evaluated through Prometheus' HTTP API: none may
 * error, and the ones whose data this run produces must return data.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startPrometheus, type PrometheusServer } from '@ollama-lens/testkit/prometheus';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { loadCatalogue, type DataCondition } from './catalogue';
import {
  PATHS,
  dashboardTargets,
  readJson,
  readYaml,
  repoPath,
  type Dashboard,
  type GrafanaRulesFile,
  type PrometheusRulesFile,
} from './repo';

const catalogue = loadCatalogue();
const dashboard = readJson<Dashboard>(PATHS.dashboard);

/** What this run produces. GPU metrics, CPU sensors and store drops depend on the machine and stay unasserted. */
const PRODUCED = new Set<DataCondition>(['scrape', 'traffic', 'errors', 'loaded_model', 'prices', 'store']);
/** What this run certainly does not produce: those queries must show nothing (empty or all zero). */
const ABSENT = new Set<DataCondition>(['store_drops', ...(hasNvidiaSmi() ? [] : (['gpu'] as const))]);

function hasNvidiaSmi(): boolean {
  return spawnSync('nvidia-smi', ['-L']).status === 0;
}

// ── Prometheus HTTP API ─────────────────────────────────────────────────────────────────────────────────────

interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}
type QueryData = {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: Series[] | [number, string];
};
interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}
interface RuleState {
  name: string;
  type: string;
  state: string;
  health: string;
  lastError?: string;
}

let promUrl = '';

async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${promUrl}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
  if (body.status !== 'success')
    throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
  return body.data;
}

/** Samples of an instant or range result, as numbers. */
function samples(data: QueryData): number[] {
  if (data.resultType === 'scalar') return [Number((data.result as [number, string])[1])];
  return (data.result as Series[]).flatMap((s) =>
    (s.values ?? (s.value ? [s.value] : [])).map(([, v]) => Number(v))
  );
}

async function evaluate(expr: string, instant: boolean): Promise<QueryData> {
  const end = Date.now() / 1000;
  return instant
    ? api<QueryData>('/api/v1/query', { query: expr, time: String(end) })
    : api<QueryData>('/api/v1/query_range', {
        query: expr,
        start: String(promStartedAt),
        end: String(end),
        step: '1',
      });
}

// ── Processes ───────────────────────────────────────────────────────────────────────────────────────────────

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  authorization?: { type?: string; credentials_file?: string };
  static_configs: { targets: string[] }[];
}
interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

/**
 * prometheus/prometheus.yml as shipped, pointed at this test's sidecar and port and sped up to 1s scrapes and
 * evaluations; its rule_files resolved against the repository (they are relative to the config file).
 */
function testConfig(sidecarTarget: string, promPort: number): PrometheusConfig {
  const base = readYaml<PrometheusConfig>(PATHS.prometheusConfig);
  const jobs = base.scrape_configs.map((j) => j.job_name).sort();
  if (jobs.join() !== 'ollama-lens,prometheus')
    throw new Error(`prometheus.yml should scrape ollama-lens and prometheus, has ${jobs.join(', ')}`);
  return {
    global: { ...base.global, scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    rule_files: base.rule_files.map((f) => resolve(repoPath('prometheus'), f)),
    scrape_configs: base.scrape_configs.map((j) => ({
      ...j,
      // The shipped token file exists only in the container; this one sits beside the test's config.
      ...(j.authorization ? { authorization: { ...j.authorization, credentials_file: 'admin-token' } } : {}),
      static_configs: [{ targets: [j.job_name === 'ollama-lens' ? sidecarTarget : `127.0.0.1:${promPort}`] }],
    })),
  };
}

let sidecar: TestSidecar;
let prometheus: PrometheusServer | undefined;
let promStartedAt = 0;
let requestsSent = 0;
const MODEL_NOT_FOUND = 'no-such-model-ollama-lens';

async function send(
  path: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {}
): Promise<number> {
  const res = await fetch(`${sidecar.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await res.text();
  requestsSent++;
  return res.status;
}

/** Generate and chat, streamed and not, on both models (as two users), plus a request for a missing model. */
async function trafficRound(round: number): Promise<void> {
  const options = { num_predict: 8, temperature: 0, seed: round };
  for (const [i, model] of testOllamaModels().entries()) {
    const user = { 'x-user-id': i === 0 ? 'alice' : 'bob' };
    expect(
      await send('/api/generate', { model, prompt: `Count to ${round + 3}.`, stream: false, options }, user)
    ).toBe(200);
    expect(
      await send(
        '/api/generate',
        { model, prompt: `Name ${round + 2} colours.`, stream: true, options },
        user
      )
    ).toBe(200);
    expect(
      await send(
        '/api/chat',
        {
          model,
          messages: [{ role: 'user', content: `Say hello ${round} times.` }],
          stream: round % 2 === 0,
          options,
        },
        user
      )
    ).toBe(200);
  }
  expect(await send('/api/generate', { model: MODEL_NOT_FOUND, prompt: 'hi', stream: false })).toBe(404);
}

beforeAll(async () => {
  sidecar = await startSidecar(testOllamaUrl(), [
    '--poll-interval-ms',
    '1000',
    '--user-label',
    '--prices',
    JSON.stringify({ '*': { input: 0.5, output: 1.5 } }),
  ]);

  // The metrics contract must be served before anything here means something.
  const metrics = await (await fetch(`${sidecar.adminUrl}/metrics`)).text();
  if (!metrics.includes('ollama_requests_total')) {
    throw new Error(
      `the sidecar does not serve ollama_requests_total on /metrics (is the metrics plugin registered in src/app.ts?); got: ${metrics.slice(0, 200)}`
    );
  }

  promStartedAt = Date.now() / 1000;
  prometheus = await startPrometheus({
    config: (port) => stringify(testConfig(new URL(sidecar.adminUrl).host, port)),
    files: { 'admin-token': 'unused: a loopback sidecar needs no token' },
  });
  promUrl = prometheus.url;
  await until('the first scrape of the sidecar', 20000, async () => {
    const data = await api<QueryData>('/api/v1/query', { query: 'up{job="ollama-lens"} == 1' });
    return (data.result as Series[]).length > 0 ? true : undefined;
  });

  // Rounds a little over a scrape apart, so every counter is seen moving, not just appearing.
  for (let round = 0; round < 4; round++) {
    await trafficRound(round);
    await sleep(1500);
  }
  // Prometheus has everything once its count of requests matches what was sent.
  await until(`Prometheus to count all ${requestsSent} requests`, 20000, async () => {
    const total = samples(await evaluate('sum(ollama_requests_total{job="ollama-lens"})', true))[0];
    return total === requestsSent ? total : undefined;
  });
  await sleep(2500); // two more rule evaluations and scrapes over the final state
}, 180000);

afterAll(async () => {
  await prometheus?.stop();
  await sidecar?.close();
});

const DATA_EXPECTATION = (c: DataCondition) =>
  PRODUCED.has(c) ? 'data' : ABSENT.has(c) ? 'nothing' : 'either';

function checkData(what: string, data: QueryData, condition: DataCondition): void {
  const values = samples(data);
  switch (DATA_EXPECTATION(condition)) {
    case 'data':
      expect({ what, condition, finiteValues: values.filter(Number.isFinite).length > 0 }).toEqual({
        what,
        condition,
        finiteValues: true,
      });
      break;
    case 'nothing':
      expect({ what, condition, nonZero: values.filter((v) => v !== 0) }).toEqual({
        what,
        condition,
        nonZero: [],
      });
      break;
    case 'either':
      break;
  }
}

describe('Overview dashboard queries on real data', () => {
  const targets = dashboardTargets(dashboard).map(({ panel, target }) => {
    const def = catalogue.PANELS.find((p) => p.id === panel.id)?.queries.find(
      (q) => q.refId === target.refId
    );
    if (!def) throw new Error(`dashboard query ${panel.id}/${target.refId} is not in the query catalogue`);
    return { name: `${panel.title} / ${target.refId}`, target, expect: def.expect };
  });

  it.each(targets.map((t) => [t.name, t] as const))('%s', async (_name, { target, expect: condition }) => {
    const expr = catalogue.interpolate(target.expr, { ...catalogue.EVALUATION_DEFAULTS, __range: '10m' });
    const data = await evaluate(expr, target.instant === true);
    checkData(expr, data, condition);
  });

  it('the model and user variables list what the traffic used', async () => {
    for (const v of catalogue.VARIABLES.filter((x) => x.kind === 'query')) {
      const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(v.query ?? '') ?? [];
      expect(metric).toBe('ollama_requests_total');
      const values = await api<string[]>(`/api/v1/label/${label}/values`, { 'match[]': metric });
      if (label === 'model')
        expect(values).toEqual(expect.arrayContaining(testOllamaModels().map((m) => `${m}:latest`)));
      if (label === 'user') expect(values).toEqual(expect.arrayContaining(['alice', 'bob']));
    }
  });

  it('latency and TTFT exemplars carry request ids of real requests (the Explorer links)', async () => {
    const ids = new Set(sidecar.records.map((r) => r.id));
    const withExemplars = dashboardTargets(dashboard).filter(({ target }) => target.exemplar);
    expect(withExemplars.length).toBeGreaterThanOrEqual(3);
    for (const { panel, target } of withExemplars) {
      const query = catalogue.interpolate(target.expr, { ...catalogue.EVALUATION_DEFAULTS });
      const series = await api<ExemplarSeries[]>('/api/v1/query_exemplars', {
        query,
        start: String(promStartedAt),
        end: String(Date.now() / 1000),
      });
      const exemplarIds = series.flatMap((s) => s.exemplars.map((e) => e.labels[catalogue.EXEMPLAR_LABEL]));
      expect({ panel: panel.title, exemplars: exemplarIds.length > 0 }).toEqual({
        panel: panel.title,
        exemplars: true,
      });
      for (const id of exemplarIds) expect(ids).toContain(id);
    }
  });

  it('counts the failed requests as errors of the missing model', async () => {
    const data = await evaluate('sum by (error_type) (ollama_errors_total{job="ollama-lens"})', true);
    // Series that stayed at 0 (if the recorder pre-creates them) are not failures.
    const byType = Object.fromEntries(
      (data.result as Series[])
        .map((s) => [s.metric.error_type, Number(s.value?.[1])])
        .filter(([, v]) => v !== 0)
    );
    expect(byType).toEqual({ model_not_found: 4 });
  });
});

describe('alert expressions on real data', () => {
  const catalogueAlerts = new Map(catalogue.ALERTS.map((a) => [a.name, a]));
  const promRules = readYaml<PrometheusRulesFile>(PATHS.prometheusRules).groups.flatMap((g) => g.rules);
  const grafanaRules = readYaml<GrafanaRulesFile>(PATHS.grafanaRules).groups.flatMap((g) => g.rules);

  it.each(grafanaRules.map((r) => [r.title, r] as const))(
    'Grafana rule %s: its query evaluates',
    async (title, rule) => {
      const a = catalogueAlerts.get(title);
      if (!a) throw new Error(`rule ${title} is not in the query catalogue`);
      const expr = rule.data.find((q) => q.refId === 'A')?.model.expr ?? '';
      checkData(expr, await evaluate(expr, true), a.expect);
    }
  );

  it.each(promRules.map((r) => [r.alert, r] as const))(
    'Prometheus rule %s: its expression evaluates',
    async (_name, rule) => {
      await evaluate(rule.expr, true);
    }
  );

  it('the sidecar and Ollama are up: ServiceDown’s value is 1 for the scraped sidecar', async () => {
    const a = catalogueAlerts.get('ServiceDown');
    const data = await evaluate(a?.valueExpr ?? '', true);
    expect((data.result as Series[]).map((s) => [s.metric.job, Number(s.value?.[1])])).toEqual([
      ['ollama-lens', 1],
    ]);
  });

  it('Prometheus loaded all rules from prometheus.yml and evaluates them without errors', async () => {
    const data = await api<{ groups: { name: string; rules: RuleState[] }[] }>('/api/v1/rules');
    const states = data.groups.flatMap((g) => g.rules);
    expect(states.map((r) => r.name).sort()).toEqual(promRules.map((r) => r.alert).sort());
    for (const r of states)
      expect({ rule: r.name, health: r.health, lastError: r.lastError ?? '' }).toEqual({
        rule: r.name,
        health: 'ok',
        lastError: '',
      });
  });

  it('on this traffic HighErrorRate is pending (1 failure in 7 requests), and nothing that should stay quiet fires', async () => {
    const data = await api<{ groups: { rules: RuleState[] }[] }>('/api/v1/rules');
    const state = Object.fromEntries(data.groups.flatMap((g) => g.rules).map((r) => [r.name, r.state]));
    expect(state.HighErrorRate).toBe('pending');
    for (const quiet of [
      'ServiceDown',
      'QueueBacklog',
      'MessageStoreDropping',
      ...(ABSENT.has('gpu') ? ['ModelOffloadedToCPU', 'GPUTemperatureHigh'] : []),
    ]) {
      expect({ quiet, state: state[quiet] }).toEqual({ quiet, state: 'inactive' });
    }
  });
});
