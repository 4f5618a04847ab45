/**
 * GET /metrics on a real sidecar (buildApp) in front of the real Ollama: content negotiation, the
 * polled gauges, and request metrics that match the records the proxy produced.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { Registry } from 'prom-client';
import { NVIDIA_SMI_ARGS } from '../../src/metrics/gpu';
import { ROCM_SMI_ARGS } from '../../src/metrics/gpu-amd';
import { IOREG_ARGS } from '../../src/metrics/gpu-apple';
import { gpuFixture, standInTool } from '../fixtures/gpu/stand-in';
import { testOllamaUrl } from '@ollama-lens/testkit/env';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { find, parseExposition, value, type ParsedExposition } from './exposition-reader';
import { startHoldRelay, type HoldRelay } from './hold-relay';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

async function scrape(
  s: TestSidecar,
  accept?: string
): Promise<{ contentType: string; body: string; exp: ParsedExposition }> {
  const res = await request(`${s.adminUrl}/metrics`, { headers: accept ? { accept } : {} });
  const body = await res.body.text();
  expect(res.statusCode).toBe(200);
  return { contentType: String(res.headers['content-type']), body, exp: parseExposition(body) };
}

/** Scrapes until `ready` holds (the pollers run on their own timer). */
async function scrapeUntil(
  s: TestSidecar,
  ready: (exp: ParsedExposition) => boolean,
  timeoutMs = 10000
): Promise<ParsedExposition> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { exp } = await scrape(s);
    if (ready(exp)) return exp;
    if (Date.now() > end) throw new Error('metrics did not reach the expected state in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function generate(url: string, body: object, headers: Record<string, string> = {}) {
  const res = await request(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

let dir: string;
let sidecar: TestSidecar;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ollama-lens-metrics-'));
  // nvidia-smi cannot run here (no GPU): an executable that answers the collector's exact query the
  // way nvidia-smi documents it, to check the --nvidia-smi wiring end to end.
  const smi = join(dir, 'nvidia-smi');
  writeFileSync(
    smi,
    `#!/bin/sh\n[ "$1" = "${NVIDIA_SMI_ARGS[0]}" ] && [ "$2" = "${NVIDIA_SMI_ARGS[1]}" ] || exit 2\necho "0, NVIDIA L4, 41, 7000, 23034, 55, 38.61"\n`
  );
  chmodSync(smi, 0o755);
  // Likewise rocm-smi and ioreg, answering with recorded outputs, to check --rocm-smi and --ioreg.
  const rocm = standInTool(dir, 'rocm-smi', ROCM_SMI_ARGS, gpuFixture('rocm-smi', 'rx6700xt-rocm612.json'));
  const ioreg = standInTool(dir, 'ioreg', IOREG_ARGS, gpuFixture('ioreg', 'm1-pro-stats-1094.txt'));
  sidecar = await startSidecar(testOllamaUrl(), [
    '--poll-interval-ms',
    '200',
    '--user-label',
    '--nvidia-smi',
    smi,
    '--rocm-smi',
    rocm,
    '--ioreg',
    ioreg,
  ]);
});
afterAll(async () => {
  await sidecar.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /metrics', () => {
  it('answers Prometheus text by default and OpenMetrics when Prometheus asks', async () => {
    const text = await scrape(sidecar);
    expect(text.contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    expect(text.exp.eof).toBe(false);
    expect(text.exp.families.get('ollama_requests_total')?.type).toBe('counter');
    const om = await scrape(sidecar, PROMETHEUS_ACCEPT);
    expect(om.contentType).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(om.exp.families.get('ollama_requests')?.type).toBe('counter');
    const head = await request(`${sidecar.adminUrl}/metrics`, { method: 'HEAD' });
    await head.body.text();
    expect(head.statusCode).toBe(200);
  });

  it('does not forward /metrics to Ollama, and accepts a bearer token without requiring one', async () => {
    const res = await request(`${sidecar.adminUrl}/metrics`, {
      headers: { authorization: 'Bearer anything' },
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toContain('# TYPE ollama_up gauge');
    expect(sidecar.records.some((r) => r.path === '/metrics')).toBe(false);
  });

  it("shows Ollama's state, the host and the GPU from the pollers", async () => {
    const exp = await scrapeUntil(
      sidecar,
      (e) => value(e, 'ollama_up') === 1 && value(e, 'ollama_host_cpu_utilization_ratio') !== undefined
    );
    expect(find(exp, 'ollama_build_info')).toHaveLength(1);
    expect(value(exp, 'ollama_model_loaded', { model: 'tiny:latest' })).toBeDefined();
    expect(value(exp, 'ollama_host_memory_total_bytes')).toBeGreaterThan(0);
    expect(value(exp, 'ollama_host_uptime_seconds')).toBeGreaterThan(0);
    const gpu = { gpu: '0', name: 'NVIDIA L4', vendor: 'nvidia' };
    expect(value(exp, 'ollama_gpu_utilization_ratio', gpu)).toBe(0.41);
    expect(value(exp, 'ollama_gpu_memory_total_bytes', gpu)).toBe(23034 * 1024 * 1024);
    expect(value(exp, 'ollama_gpu_power_watts', gpu)).toBe(38.61);
    const amd = { gpu: '0', name: 'Navi 22 [Radeon RX 6700/6700 XT / 6800M]', vendor: 'amd' };
    expect(value(exp, 'ollama_gpu_temperature_celsius', amd)).toBe(45);
    const apple = { gpu: '0', name: 'AGXAcceleratorG13X', vendor: 'apple' };
    expect(value(exp, 'ollama_gpu_memory_used_bytes', apple)).toBe(340983808);
  });

  it('counts a streamed request as its record says, with its id as exemplar', async () => {
    const before = await scrape(sidecar);
    const success = {
      model: 'tiny:latest',
      endpoint: '/api/generate',
      status: 'success',
      user: 'metrics-route',
    };
    const countBefore = value(before.exp, 'ollama_requests_total', success) ?? 0;
    const res = await generate(
      sidecar.url,
      { model: 'tiny', prompt: 'count me', stream: true, options: { num_predict: 12 } },
      { 'x-user-id': 'metrics-route' }
    );
    expect(res.status).toBe(200);
    expect(String(res.headers['server-timing'])).toMatch(/ollama-lens;dur=\d/);
    const id = String(res.headers['x-ollama-lens-id']);
    const r = await sidecar.waitForRecord((x) => x.id === id);

    const om = (await scrape(sidecar, PROMETHEUS_ACCEPT)).exp;
    expect(value(om, 'ollama_requests_total', success)).toBe(countBefore + 1);
    const exemplars = om.samples.filter((s) => s.exemplar?.labels.request_id === id);
    expect(exemplars.map((s) => s.name).sort()).toEqual([
      'ollama_request_duration_seconds_bucket',
      'ollama_time_to_first_token_seconds_bucket',
    ]);
    const duration = exemplars.find((s) => s.name === 'ollama_request_duration_seconds_bucket');
    expect(duration?.exemplar?.value).toBeCloseTo(r.duration_ms / 1000, 9);
    expect(duration?.labels).toMatchObject({ model: 'tiny:latest', endpoint: '/api/generate' });
    const ttft = exemplars.find((s) => s.name === 'ollama_time_to_first_token_seconds_bucket');
    expect(ttft?.exemplar?.value).toBeCloseTo((r.ttft_ms ?? NaN) / 1000, 9);
    expect(value(om, 'ollama_sidecar_overhead_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(r.output_tokens).toBeGreaterThan(0);
  });

  it('mirrors the store: written records are counted', async () => {
    await generate(sidecar.url, {
      model: 'tiny',
      prompt: 'store me',
      stream: false,
      options: { num_predict: 4 },
    });
    const exp = await scrapeUntil(sidecar, (e) => (value(e, 'ollama_store_written_total') ?? 0) >= 1);
    expect(value(exp, 'ollama_store_dropped_total', { reason: 'queue_full' })).toBe(0);
    expect(value(exp, 'ollama_store_queue_depth')).toBeGreaterThanOrEqual(0);
  });
});

describe('requests in flight and the queue estimate', () => {
  let relay: HoldRelay;
  let held: TestSidecar;
  beforeAll(async () => {
    relay = await startHoldRelay(testOllamaUrl());
    held = await startSidecar(relay.url, [
      '--store',
      'false',
      '--ollama-num-parallel',
      '1',
      '--poll-interval-ms',
      '60000',
    ]);
  });
  afterAll(async () => {
    relay.release();
    await held.close();
    await relay.close();
  });

  it('counts requests from the parsed body to the last byte; beyond one per model they are queued', async () => {
    relay.hold();
    const body = (model: string) => ({ model, prompt: 'wait', stream: true, options: { num_predict: 3 } });
    const pending = [
      generate(held.url, body('tiny')),
      generate(held.url, body('tiny')),
      generate(held.url, body('tiny')),
      generate(held.url, body('tiny2')),
    ];
    const during = await scrapeUntil(
      held,
      (e) =>
        value(e, 'ollama_requests_in_flight', { model: 'tiny:latest' }) === 3 &&
        value(e, 'ollama_requests_in_flight', { model: 'tiny2:latest' }) === 1
    );
    // tiny: 3 in flight, 1 running, 2 waiting; tiny2: 1 running.
    expect(value(during, 'ollama_request_queue_depth')).toBe(2);
    relay.release();
    const results = await Promise.all(pending);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const after = await scrapeUntil(
      held,
      (e) => value(e, 'ollama_requests_in_flight', { model: 'tiny:latest' }) === 0
    );
    expect(value(after, 'ollama_requests_in_flight', { model: 'tiny2:latest' })).toBe(0);
    expect(value(after, 'ollama_request_queue_depth')).toBe(0);
  });
});
