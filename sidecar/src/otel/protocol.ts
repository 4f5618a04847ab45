/** Messages between the proxy's thread (OtelExport) and the export thread. Plain, cloneable data. */
import type { SpanInput } from './span-input';

export interface ExportInit {
  /** Full URL of the OTLP/HTTP traces endpoint (…/v1/traces). */
  tracesUrl: string;
  /** Full URL of the OTLP/HTTP metrics endpoint (…/v1/metrics); absent = no GenAI metrics. */
  metricsUrl?: string;
  /** How often the GenAI metrics are sent, in ms. */
  metricsIntervalMs: number;
  /** Extra headers sent with each export (e.g. a collector's API key). */
  headers: Record<string, string>;
  /** Resource attributes of every span (service.name, service.version, service.instance.id). */
  resource: Record<string, string>;
  server: { address: string; port: number };
  captureContent: boolean;
  redact: boolean;
  redactPatterns: string[];
  /** Spans the thread holds (waiting or being exported) before new ones are dropped. */
  queueSize: number;
  /** Longest a span waits before its batch is sent, in ms. */
  batchDelayMs: number;
  /** Longest one export (retries included) may take, in ms. */
  exportTimeoutMs: number;
  statsIntervalMs: number;
}

export interface ExportThreadStats {
  /** Span inputs received from the proxy's thread. */
  received: number;
  /** Spans the collector accepted. */
  exported: number;
  /** Spans lost because the thread's queue was full. */
  queueFull: number;
  /** Spans lost because an export failed (collector down, rejected, timed out). */
  exportFailed: number;
  /** Spans waiting for export or being exported. */
  queueDepth: number;
  lastError?: { message: string; at: number };
}

/** `spans`: the records of one event-loop turn on the proxy's thread, oldest first. */
export type ToExporter = { type: 'spans'; inputs: SpanInput[] } | { type: 'close' };

export type FromExporter =
  | { type: 'ready' }
  | { type: 'stats'; stats: ExportThreadStats }
  | { type: 'closed'; stats: ExportThreadStats };
