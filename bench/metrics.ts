/**
 * /metrics render benchmark: a sidecar (the real buildApp, metrics plugin and default metrics included)
 * whose registry holds 20 models × 10 endpoints × 4 statuses of request metrics, rendered over and
 * over, in-process and over HTTP. Target: a render (p95) within 20 ms. Also reports the recorder's cost
 * per request record, and prom-client's own registry.metrics() on the same registry as a reference.
 *
 *   npm run bench:metrics          (BENCH_RENDERS=200 by default)
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { buildApp } from '../sidecar/src/app';
import { loadConfig } from '../sidecar/src/config';
import { ENDPOINTS, type MeasurementRecord, type RequestStatus } from '../sidecar/src/tap/record';
import { renderMetrics } from '../sidecar/src/metrics/exposition';
import { recordOf } from '@ollama-lens/testkit/records';

const MODELS = 20;
const ENDPOINT_COUNT = 10;
const RENDERS = Number(process.env.BENCH_RENDERS ?? 200);
const TARGET_MS = 20;
const BETWEEN = Number(process.env.BENCH_BETWEEN ?? 100);
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const STATUSES: RequestStatus[] = ['success', 'error', 'cancelled', 'timeout'];
const ERROR_OF = { error: 'upstream_error', cancelled: 'cancelled', timeout: 'timeout' } as const;

let seq = 0;
/** One request's record, its derived values (canonical model, tokens/s, queue) computed as the tap does. */
function record(
  model: string,
  endpoint: MeasurementRecord['endpoint'],
  status: RequestStatus,
  i: number
): MeasurementRecord {
  const duration = 20 + ((i * 37) % 5000);
  return recordOf({
    id: `bench-${++seq}`,
    endpoint,
    requested_model: model,
    user: `user-${i % 30}`,
    stream: i % 2 === 0,
    started_at: Date.now(),
    duration_ms: duration,
    ttft_ms: 5 + ((i * 13) % 400),
    status,
    http_status: status === 'success' ? 200 : 500,
    error_type: status === 'success' ? undefined : ERROR_OF[status],
    request_bytes: 200,
    response_bytes: 2000,
    input_tokens: 50 + (i % 700),
    output_tokens: 10 + (i % 300),
    timings: {
      total_duration_ns: duration * 1e6 * 0.98,
      load_duration_ns: i % 50 === 0 ? 2e8 : 2e6,
      prompt_eval_count: 50 + (i % 700),
      prompt_eval_duration_ns: 5e6 + (i % 20) * 1e6,
      eval_count: 10 + (i % 300),
      eval_duration_ns: duration * 1e6 * 0.8,
    },
    proxy_overhead_ms: 0.05 + (i % 10) * 0.01,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] };
}

/** Times `fn`; `between` runs untimed before each call (new requests arriving between scrapes). */
async function timeIt(
  n: number,
  fn: () => Promise<unknown>,
  between: () => void = () => {}
): Promise<number[]> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(); // warm-up (JIT)
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    between();
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

interface ScenarioResult {
  rows: (string | number)[][];
  series: number;
  kib: number;
  records: number;
  firstFeedUs: number;
  perRecordUs: number;
}

async function scenario(userLabel: boolean): Promise<ScenarioResult> {
  // Nothing listens on the upstream: the Ollama poller reports ollama_up 0, which costs nothing here.
  const flags = [
    '--port',
    '0',
    '--upstream',
    'http://127.0.0.1:9',
    '--store',
    'false',
    '--log-level',
    'error',
    '--poll-interval-ms',
    '60000',
  ];
  const app = await buildApp(loadConfig(userLabel ? [...flags, '--user-label'] : flags, {}));
  const { adminUrl } = await app.listen();
  const { tap, registry } = app.services;
  const models = Array.from({ length: MODELS }, (_, i) => `model-${String(i).padStart(2, '0')}:latest`);
  const endpoints = ENDPOINTS.slice(0, ENDPOINT_COUNT);

  // Every model × endpoint × status, several times, so every series exists and every bucket is used.
  const records: MeasurementRecord[] = [];
  let i = 0;
  for (const model of models)
    for (const endpoint of endpoints)
      for (const status of STATUSES)
        for (let k = 0; k < 5; k++) records.push(record(model, endpoint, status, i++));
  const feed = (): number => {
    const t = performance.now();
    for (const r of records) {
      tap.requestStarted({ id: r.id, endpoint: r.endpoint, model: r.model, started_at: r.started_at });
      tap.emit(r);
    }
    return ((performance.now() - t) * 1000) / records.length;
  };
  const firstFeedUs = feed(); // creates every series
  const perRecordUs = feed(); // steady state: the series exist
  // Between two renders, BETWEEN new requests land on random series (about 15 s of a busy server),
  // so every render has changed series to write, not only cached ones.
  let next = 0;
  const arrivals = () => {
    for (let k = 0; k < BETWEEN; k++) {
      const r = records[(next = (next + 7919) % records.length)];
      tap.emit({ ...r, id: `${r.id}-${k}` });
    }
  };

  const text = await renderMetrics(registry, 'prometheus');
  const series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const labels = userLabel
    ? 'model, endpoint, status, user (20 + other)'
    : 'model, endpoint, status (default)';
  const rows: (string | number)[][] = [];
  const add = (what: string, samples: number[]) => {
    const s = stats(samples);
    rows.push([labels, what, s.p50, s.p95, s.max, TARGET_MS, s.p95 <= TARGET_MS ? 'yes' : 'NO']);
  };
  const get = async (accept?: string) => {
    const res = await request(`${adminUrl}/metrics`, { headers: accept ? { accept } : {} });
    await res.body.text();
  };
  add(
    'render, Prometheus text',
    await timeIt(RENDERS, () => renderMetrics(registry, 'prometheus'), arrivals)
  );
  add(
    'render, OpenMetrics + exemplars',
    await timeIt(RENDERS, () => renderMetrics(registry, 'openmetrics'), arrivals)
  );
  add(
    'render, nothing changed since the last one',
    await timeIt(RENDERS, () => renderMetrics(registry, 'prometheus'))
  );
  add('GET /metrics over loopback, Prometheus text', await timeIt(RENDERS, () => get(), arrivals));
  add(
    'GET /metrics over loopback, OpenMetrics',
    await timeIt(RENDERS, () => get(PROMETHEUS_ACCEPT), arrivals)
  );
  add(
    'prom-client registry.metrics() (reference)',
    await timeIt(RENDERS, () => registry.metrics(), arrivals)
  );
  await app.close();
  return {
    rows,
    series,
    kib: Buffer.byteLength(text) / 1024,
    records: records.length,
    firstFeedUs,
    perRecordUs,
  };
}

async function main(): Promise<void> {
  const plain = await scenario(false);
  const users = await scenario(true);
  process.stdout.write(
    `\n/metrics render: ${MODELS} models × ${ENDPOINT_COUNT} endpoints × ${STATUSES.length} statuses populated, ${RENDERS} renders each, ${BETWEEN} new requests before each ` +
      `(GET: real HTTP on loopback, client in the same process), Node ${process.version}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\n` +
      `default labels: ${plain.series} series, ${plain.kib.toFixed(0)} KiB; with --user-label: ${users.series} series, ${users.kib.toFixed(0)} KiB (Prometheus text)\n\n`
  );
  process.stdout.write(
    table(
      ['labels', 'render', 'p50 ms', 'p95 ms', 'max ms', 'target ms', 'p95 within target'],
      [...plain.rows, ...users.rows]
    ) + '\n\n'
  );
  process.stdout.write(
    table(
      ['recorder (metrics sink)', 'default labels', 'with --user-label'],
      [
        ['records fed through the tap (twice)', plain.records, users.records],
        ['µs per record, first pass (creates the series)', plain.firstFeedUs, users.firstFeedUs],
        ['µs per record, steady state (onRequestStart + record)', plain.perRecordUs, users.perRecordUs],
      ]
    ) + '\n'
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
