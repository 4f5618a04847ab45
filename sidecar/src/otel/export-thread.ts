/**
 * The export thread: owns the OpenTelemetry SDK. It receives span inputs from the proxy's thread and
 * does everything the proxy must not wait for: span building, batching and OTLP/HTTP export. Its
 * queue is bounded; spans beyond it, and spans of a failed export, are dropped and counted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type HrTime,
} from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  TracerProvider,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { Redactor } from '../store/redact';
import { GenAiMetrics } from './genai-metrics';
import { describeSpan } from './genai-span';
import type { ExportInit, ExportThreadStats, FromExporter, ToExporter } from './protocol';
import type { SpanInput } from './span-input';

/** Longest string attribute (content capture): an OTLP request stays well under collectors' limits. */
const MAX_ATTRIBUTE_CHARS = 128 * 1024;

/**
 * The ids were decided on the proxy's thread (the upstream request already carries them): the SDK
 * takes them from here instead of generating its own. Set just before each synchronous startSpan.
 */
class PresetIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Counts what the collector accepted and what was lost with a failed export. */
class CountingExporter implements SpanExporter {
  exported = 0;
  failed = 0;
  lastError: { message: string; at: number } | undefined;
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.exported += spans.length;
      else {
        this.failed += spans.length;
        this.lastError = { message: result.error?.message ?? 'export failed', at: Date.now() };
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function hrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}

function main(port: NonNullable<typeof parentPort>, init: ExportInit): void {
  const send = (m: FromExporter) => port.postMessage(m);
  const exporter = new CountingExporter(
    new OTLPTraceExporter({ url: init.tracesUrl, headers: init.headers, timeoutMillis: init.exportTimeoutMs })
  );
  const ids = new PresetIds();
  const resource = resourceFromAttributes(init.resource);
  const provider = new TracerProvider({
    resource,
    idGenerator: ids,
    spanLimits: { attributeValueLengthLimit: MAX_ATTRIBUTE_CHARS },
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        // Our own bound (below) keeps the processor's queue from ever dropping on its own.
        maxQueueSize: init.queueSize,
        maxExportBatchSize: Math.min(512, init.queueSize),
        scheduledDelayMillis: init.batchDelayMs,
        // Longer than the exporter's own timeout, so every export reports its outcome to the counter.
        exportTimeoutMillis: init.exportTimeoutMs + 5000,
      }),
    ],
  });
  const tracer = provider.getTracer('ollama-lens', init.resource['service.version']);
  // Metrics are aggregated here and sent on their own interval (cumulative, the SDK's default).
  const meterProvider = init.metricsUrl
    ? new MeterProvider({
        resource,
        readers: [
          new PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter({
              url: init.metricsUrl,
              headers: init.headers,
              timeoutMillis: init.exportTimeoutMs,
            }),
            exportIntervalMillis: init.metricsIntervalMs,
            exportTimeoutMillis: Math.min(init.exportTimeoutMs, init.metricsIntervalMs),
          }),
        ],
      })
    : undefined;
  const metrics = meterProvider
    ? new GenAiMetrics(meterProvider.getMeter('ollama-lens', init.resource['service.version']), init.server)
    : undefined;
  const redactor = init.redact ? new Redactor(init.redactPatterns) : undefined;
  const describeOptions = {
    server: init.server,
    captureContent: init.captureContent,
    redact: redactor ? (t: string) => redactor.redact(t).text : undefined,
  };

  let received = 0;
  let ended = 0;
  let queueFull = 0;
  let buildFailed = 0;
  const depth = () => ended - exporter.exported - exporter.failed;
  const stats = (): ExportThreadStats => ({
    received,
    exported: exporter.exported,
    queueFull,
    exportFailed: exporter.failed + buildFailed,
    queueDepth: depth(),
    lastError: exporter.lastError,
  });

  function exportSpan(input: SpanInput): void {
    // Metrics count every request, whatever the trace's sampling.
    metrics?.record(input);
    const t = input.trace;
    // Ids come with the record; a record without them (export turned on mid-request) is not a span.
    if (!t) return;
    if (depth() >= init.queueSize) {
      queueFull++;
      return;
    }
    let parent: Context = ROOT_CONTEXT;
    if (t.parent_span_id) {
      parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: t.trace_id,
        spanId: t.parent_span_id,
        traceFlags: t.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
        ...(t.trace_state ? { traceState: createTraceState(t.trace_state) } : {}),
      });
    }
    const d = describeSpan(input, describeOptions);
    ids.traceId = t.trace_id;
    ids.spanId = t.span_id;
    const span = tracer.startSpan(
      d.name,
      { kind: SpanKind.CLIENT, startTime: hrTime(input.started_at), attributes: d.attributes },
      parent
    );
    // A caller that sampled its trace out gets no span from us either (its decision, kept upstream too).
    if (!span.isRecording()) return;
    if (d.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: d.error });
    ended++;
    span.end(hrTime(input.ended_at));
  }

  const report = setInterval(() => send({ type: 'stats', stats: stats() }), init.statsIntervalMs);

  port.on('message', (m: ToExporter) => {
    switch (m.type) {
      case 'spans':
        for (const input of m.inputs) {
          received++;
          try {
            exportSpan(input);
          } catch (err) {
            buildFailed++;
            exporter.lastError = { message: (err as Error).message, at: Date.now() };
          }
        }
        return;
      case 'close':
        void (async () => {
          clearInterval(report);
          // Sends what is queued (bounded by the export timeout), then stops.
          await Promise.all([provider.shutdown(), meterProvider?.shutdown()]).catch(() => undefined);
          send({ type: 'closed', stats: stats() });
          port.close();
        })();
        return;
    }
  });
  send({ type: 'ready' });
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === 'otel-export') {
  main(parentPort, workerData as ExportInit);
}
