/**
 * What the proxy's thread still does per request once the store lives in its own threads, measured per
 * step on recorded real Ollama exchanges: building the record (parsing request and response: the tap),
 * the prom-client updates (the metrics recorder), and the hand-over to the writer thread (a structured
 * clone). Beside it, the alternative hand-over (JSON text encoded and transferred as a buffer: two
 * copies) and what the writer thread now does instead (row preparation: classification, redaction).
 *
 *   npx tsx bench/record-path.ts
 */
import { MessageChannel } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createMetrics } from '../sidecar/src/metrics/metrics';
import { MetricsRecorder } from '../sidecar/src/metrics/recorder';
import { classifyEndpoint } from '../sidecar/src/ollama/endpoint';
import { Redactor } from '../sidecar/src/store/redact';
import { prepareRow } from '../sidecar/src/store/row';
import { Exchange } from '../sidecar/src/tap/exchange';
import type { MeasurementRecord } from '../sidecar/src/tap/record';
import { loadFixture, type Fixture } from '@ollama-lens/testkit/fixtures';
import { table } from './lib';

const N = Number(process.env.BENCH_N ?? 20_000);

/** A recorded exchange, optionally with a long prompt (a pasted document) in place of its own. */
function withLongPrompt(f: Fixture, chars: number): Fixture {
  const body = JSON.parse(f.request.body ?? '{}') as { messages?: { role: string; content: string }[] };
  const doc = 'The quarterly report shows revenue growth across every region. '
    .repeat(Math.ceil(chars / 64))
    .slice(0, chars);
  body.messages = [{ role: 'user', content: `${doc}\n\nSummarise the document above.` }];
  return { ...f, request: { ...f.request, body: JSON.stringify(body) } };
}

function exchangeOf(f: Fixture): () => MeasurementRecord {
  const { endpoint, flavor } = classifyEndpoint(f.request.path);
  const req = f.request.body ? Buffer.from(f.request.body) : undefined;
  // The response as it arrives: one network chunk per NDJSON/SSE line.
  const chunks = f.body.split(/(?<=\n)/).map((l) => Buffer.from(l));
  let n = 0;
  return () => {
    const ex = new Exchange({
      id: `id-${n++}`,
      method: f.request.method,
      path: f.request.path,
      endpoint,
      flavor,
      captureContent: true,
      captureLimitBytes: 16 << 20,
      prices: {},
    });
    if (req) ex.onRequestChunk(req);
    ex.requestComplete();
    ex.onResponseHead(f.status, f.headers['content-type'] ?? undefined);
    for (const c of chunks) ex.onResponseChunk(c);
    return ex.finish({ kind: 'complete' });
  };
}

/** Mean µs per call over N calls, after a warm-up. */
function usPer(fn: (i: number) => unknown): number {
  for (let i = 0; i < 2000; i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn(i);
  return ((performance.now() - t0) * 1000) / N;
}

async function main(): Promise<void> {
  const shapes: [string, Fixture][] = [
    ['generate, not streamed', loadFixture('generate-nostream')],
    ['chat, streamed', loadFixture('chat-stream')],
    ['chat, streamed, 12 KB prompt', withLongPrompt(loadFixture('chat-stream'), 12_000)],
    ['/v1 chat, streamed with usage', loadFixture('v1-chat-stream-usage')],
  ];
  const registry = new Registry();
  const recorder = new MetricsRecorder(createMetrics(registry, { userLabel: false }), {
    userLabel: false,
    userLabelLimit: 20,
    ollamaNumParallel: 1,
  });
  const encoder = new TextEncoder();
  const { port1, port2 } = new MessageChannel();
  port2.on('message', () => {});
  const redactor = new Redactor();
  const rows: (string | number)[][] = [];
  for (const [name, f] of shapes) {
    const build = exchangeOf(f);
    const record = build();
    const parse = usPer(() => build());
    const metrics = usPer((i) => {
      const r = { ...record, id: `m-${i}` };
      recorder.onRequestStart({ id: r.id, endpoint: r.endpoint, model: r.model, started_at: r.started_at });
      recorder.record(r);
    });
    const handOver = usPer(() => {
      const b = encoder.encode(JSON.stringify(record));
      port1.postMessage(b.buffer, [b.buffer]);
    });
    const clone = usPer(() => port1.postMessage(record));
    const row = usPer(() => prepareRow(record, { captureContent: true, redactor }));
    rows.push([name, parse, metrics, clone, parse + metrics + clone, handOver, row]);
    await new Promise((r) => setImmediate(r));
  }
  console.log(`# Per request on the proxy's thread (µs, mean of ${N.toLocaleString('en-US')})\n`);
  console.log(
    table(
      [
        'exchange',
        'build record (parse)',
        'metrics update',
        'hand-over (structured clone)',
        'proxy thread total',
        'alt. hand-over (JSON text, transferred)',
        'now on the writer thread: row prep + redaction',
      ],
      rows
    )
  );
  port1.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
