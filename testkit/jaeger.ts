/**
 * The Jaeger harness: a real Jaeger all-in-one (v1.76.0, built by scripts/install-jaeger.sh from the
 * Go module in sidecar/test/harness/jaeger) with an in-memory store, on loopback ports of its own: OTLP/HTTP in, the query
 * API (/api/traces…) out, and the OTLP metrics it receives served in Prometheus format (Jaeger is built
 * on the OpenTelemetry Collector, whose Prometheus exporter it includes). Nothing else is opened (no
 * OTLP gRPC, no Jaeger/Zipkin receivers, no telemetry port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ollama';

export interface JaegerServer {
  /** Base URL of the OTLP/HTTP receiver (the sidecar's --otlp-endpoint). */
  otlpUrl: string;
  /** Base URL of the query API, e.g. http://127.0.0.1:40123 (…/api/traces/{traceId}). */
  queryUrl: string;
  /** The OTLP metrics received so far, in Prometheus text format. */
  metricsUrl: string;
  stop(): Promise<void>;
  logs(): string;
}

/** One tag of a span as the query API returns it. */
export interface JaegerTag {
  key: string;
  type: string;
  value: string | number | boolean;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerTag[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

export const JAEGER_INSTALL = 'scripts/install-jaeger.sh';

/** $JAEGER_BIN, else the tool cache's copy; undefined when neither is an executable. */
export function jaegerBinary(): string | undefined {
  const candidates = [
    process.env.JAEGER_BIN,
    join(process.env.OLLAMA_LENS_TOOLS ?? join(homedir(), '.cache/ollama-lens'), 'bin/jaeger'),
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next candidate
    }
  }
  return undefined;
}

function config(otlpPort: number, queryPort: number, queryGrpcPort: number, metricsPort: number): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
    metrics:
      receivers: [otlp]
      exporters: [prometheus]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${queryPort}
    grpc:
      endpoint: 127.0.0.1:${queryGrpcPort}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
processors:
  batch:
    timeout: 50ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
  prometheus:
    endpoint: 127.0.0.1:${metricsPort}
`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts Jaeger and waits until both its OTLP receiver and its query API answer. */
export async function startJaeger(readyTimeoutMs = 30_000): Promise<JaegerServer> {
  const bin = jaegerBinary();
  if (!bin)
    throw new Error(
      `the jaeger binary is missing: run ${JAEGER_INSTALL} (it builds ~/.cache/ollama-lens/bin/jaeger)`
    );
  const [otlpPort, queryPort, queryGrpcPort, metricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-jaeger-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, config(otlpPort, queryPort, queryGrpcPort, metricsPort));
  let log = '';
  const child: ChildProcess = spawn(bin, ['--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (b: Buffer) => {
    log = (log + b.toString()).slice(-200_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    })
  );
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`jaeger exited during start-up:\n${log}`);
    }
    const queryUp = await fetch(`${queryUrl}/api/services`).then(
      (r) => r.ok,
      () => false
    );
    if (queryUp && (await portOpen(otlpPort))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jaeger did not answer within ${readyTimeoutMs} ms:\n${log}`);
    }
    await sleep(100);
  }
  return {
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    queryUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stop,
    logs: () => log,
  };
}

/** The trace with this id, polled until `ready` accepts it (spans arrive in batches). */
export async function waitForTrace(
  jaeger: JaegerServer,
  traceId: string,
  ready: (t: JaegerTrace) => boolean = (t) => t.spans.length > 0,
  timeoutMs = 15_000
): Promise<JaegerTrace> {
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace | undefined;
  for (;;) {
    const res = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
    if (res.ok) {
      const body = (await res.json()) as { data?: JaegerTrace[] };
      last = body.data?.[0];
      if (last && ready(last)) return last;
    }
    if (Date.now() > deadline)
      throw new Error(
        `trace ${traceId} not complete in Jaeger within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`
      );
    await sleep(100);
  }
}

/** Traces of a service, optionally only those with a span carrying the given tags. */
export async function findTraces(
  jaeger: JaegerServer,
  service: string,
  tags: Record<string, string> = {}
): Promise<JaegerTrace[]> {
  const q = new URLSearchParams({ service, limit: '100', lookback: '1h' });
  if (Object.keys(tags).length > 0) q.set('tags', JSON.stringify(tags));
  const res = await fetch(`${jaeger.queryUrl}/api/traces?${q}`);
  if (!res.ok) throw new Error(`jaeger /api/traces answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

/** A span's tags as an object (the query API lists them). */
export function tagsOf(span: JaegerSpan): Record<string, string | number | boolean> {
  return Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
}
