/**
 * Export never affects requests: with the collector down, every request through the sidecar
 * succeeds as usual, and the spans that cannot be sent are dropped and counted in /metrics. Needs no
 * collector: the endpoint is a loopback port nobody listens on.
 */
import { testOllamaUrl } from '@ollama-lens/testkit/env';
import { freePort } from '@ollama-lens/testkit/ollama';
import { request } from 'undici';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { eventually, metric, send } from './helpers';

let sidecar: TestSidecar;

beforeAll(async () => {
  const closedPort = await freePort();
  // Room for 2 spans: the first two wait for an export that cannot succeed, the rest find it full.
  sidecar = await startSidecar(testOllamaUrl(), [
    '--otlp-endpoint',
    `http://127.0.0.1:${closedPort}`,
    '--otlp-queue-size',
    '2',
    '--store',
    'false',
  ]);
  await sidecar.app.services.otel?.whenReady();
});
afterAll(() => sidecar.close());

it('requests succeed while spans are dropped and counted: queue_full past the bound, export_error once export fails', async () => {
  const sent = [];
  for (let i = 0; i < 5; i++) sent.push(await send(sidecar, 'GET', '/api/version'));
  expect(sent.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
  await sidecar.waitForRecord(() => sidecar.records.length === 5);

  // The export's retries give up after its 10 s timeout.
  await eventually(async () => {
    expect({
      queue_full: await metric(sidecar, 'ollama_otel_spans_dropped_total{reason="queue_full"}'),
      export_error: await metric(sidecar, 'ollama_otel_spans_dropped_total{reason="export_error"}'),
      exported: await metric(sidecar, 'ollama_otel_spans_exported_total'),
    }).toEqual({ queue_full: 3, export_error: 2, exported: 0 });
  }, 30_000);

  // Reported, not fatal: still ready to forward, the export shown as failing.
  const ready = await request(`${sidecar.adminUrl}/readyz`);
  const body = (await ready.body.json()) as {
    status: string;
    checks: Record<string, { ok: boolean; critical?: boolean }>;
  };
  expect(ready.statusCode).toBe(200);
  expect(body.status).toBe('degraded');
  expect(body.checks.otel).toEqual({ ok: false, critical: false });
  expect(body.checks.upstream.ok).toBe(true);

  // Once the queue has room again, spans are taken (and, the collector still down, dropped once more).
  expect((await send(sidecar, 'GET', '/api/version')).status).toBe(200);
  await eventually(async () => {
    expect(await metric(sidecar, 'ollama_otel_spans_dropped_total{reason="export_error"}')).toBe(3);
  }, 30_000);
}, 90_000);
