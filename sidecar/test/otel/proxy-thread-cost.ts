/**
 * Micro-benchmark: what OpenTelemetry export costs the proxy's thread per request. Run with
 * `npx tsx test/otel/proxy-thread-cost.ts` from sidecar/. Measures, on the proxy's thread only:
 *  - at request start: continueTrace (parse an incoming traceparent, new span id) + the traceparent
 *    rewrite of the upstream headers, against the same headers built without export;
 *  - at request end: OtelExport.record (pick the span's fields, post them to the export thread).
 * The export thread (span building, batching, OTLP) runs beside it and is not timed here.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config';
import { continueTrace, traceparentOf } from '../../src/otel/trace-context';
import { createOtelExport } from '../../src/otel/otel-export';
import { upstreamRequestHeaders } from '../../src/proxy/headers';
import type { MeasurementRecord } from '../../src/tap/record';

const N = 40_000;

/** Best of 7 rounds: the machine is shared, and the minimum is the cost without interference. */
function perOp(label: string, n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn(i); // warm-up
  let ns = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    ns = Math.min(ns, ((performance.now() - t0) * 1e6) / n);
  }
  console.log(
    `${label.padEnd(64)} ${ns.toFixed(0).padStart(6)} ns/${label.includes('per turn') ? 'turn' : 'request'}`
  );
  return ns;
}

const rawHeaders = [
  'Host',
  '127.0.0.1:11435',
  'Content-Type',
  'application/json',
  'User-Agent',
  'ollama-js/0.6.3',
  'Accept',
  'application/json',
  'Content-Length',
  '142',
  'traceparent',
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
];
const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

const off = perOp('start, export off: upstream headers', N, () =>
  upstreamRequestHeaders(rawHeaders, '127.0.0.1:11434')
);
const on = perOp('start, export on: continueTrace + headers with our traceparent', N, () => {
  const t = continueTrace(headers);
  upstreamRequestHeaders(rawHeaders, '127.0.0.1:11434', traceparentOf(t));
});
console.log(`${'  → added at request start'.padEnd(64)} ${(on - off).toFixed(0).padStart(6)} ns/request`);

const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
const record: MeasurementRecord = {
  id: '7c1e3b0e-8f0e-4c8e-9b7e-6a1f2d3c4b5a',
  method: 'POST',
  path: '/api/chat',
  endpoint: '/api/chat',
  flavor: 'ollama',
  model: 'llama3.2:latest',
  session: 'sess-42',
  user: 'alice',
  client_address: '127.0.0.1',
  user_agent: 'ollama-js/0.6.3',
  stream: true,
  started_at: Date.now(),
  ttft_ms: 120.5,
  ttfb_ms: 120.5,
  ended_at: Date.now() + 2000,
  duration_ms: 2000,
  status: 'success',
  http_status: 200,
  request_bytes: 1400,
  response_bytes: 40_000,
  prompt: { system: 'You are helpful.', messages: [{ role: 'user', content: text }] },
  response: { content: text },
  options: { temperature: 0.7, num_predict: 256, seed: 1 },
  timings: { total_duration_ns: 2e9, eval_count: 200, eval_duration_ns: 1.8e9, prompt_eval_count: 300 },
  done_reason: 'stop',
  input_tokens: 300,
  output_tokens: 200,
  token_source: 'ollama',
  chunks: Array.from({ length: 200 }, (_, i) => ({ t_ms: 120 + i * 9, bytes: 130, text: ' word' })),
  capture_content: true,
  trace: continueTrace(headers),
};

async function main(): Promise<void> {
  for (const capture of [false, true]) {
    const config = loadConfig(
      [
        '--otlp-endpoint',
        'http://127.0.0.1:9',
        '--otlp-queue-size',
        String(10 * N),
        ...(capture ? ['--otlp-capture-content'] : []),
      ],
      {}
    );
    const otel = createOtelExport(config, { info() {}, error() {} })!;
    await otel.whenReady();
    // Records that end in the same event-loop turn share one message to the thread (flushed at its end).
    for (const perTurn of [1, 16]) {
      const turns = N / 8 / perTurn;
      const ns = perOp(
        `end: OtelExport.record, ${perTurn} per turn (content ${capture ? 'on' : 'off'})`,
        turns,
        () => {
          for (let i = 0; i < perTurn; i++) otel.record(record);
          otel.flush();
        }
      );
      void ns;
    }
    await otel.threadForTests?.terminate();
    await otel.close(1000);
  }
}

void main();
