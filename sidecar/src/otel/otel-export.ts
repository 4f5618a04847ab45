/**
 * Wiring of the OpenTelemetry export from the sidecar's configuration: where spans go, what resource
 * they carry, and how the export thread is bounded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { OtelExport, type OtelExportLog } from './export-client';
import type { ExportInit } from './protocol';

/** A span waits at most this long before its batch is sent. */
const BATCH_DELAY_MS = 1000;
/** Longest one export may take, retries of a busy collector included. */
const EXPORT_TIMEOUT_MS = 10_000;

/** The traces URL of an OTLP/HTTP base URL, as OTEL_EXPORTER_OTLP_ENDPOINT defines it. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export function metricsUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/metrics`;
}

/** `name=value` pairs (validated by loadConfig) as a header object. */
export function parseHeaders(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq).trim().toLowerCase()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function sidecarVersion(): string {
  try {
    // src/otel or dist/otel: the package's manifest is two levels up either way.
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function exportInit(config: Config): Omit<ExportInit, 'statsIntervalMs'> {
  const upstream = config.upstream;
  const port = upstream.port ? Number(upstream.port) : upstream.protocol === 'https:' ? 443 : 80;
  return {
    tracesUrl: tracesUrl(config.otlpEndpoint),
    ...(config.otlpMetrics ? { metricsUrl: metricsUrl(config.otlpEndpoint) } : {}),
    metricsIntervalMs: config.otlpMetricsIntervalMs,
    headers: parseHeaders(config.otlpHeaders),
    resource: {
      'service.name': config.otlpServiceName,
      'service.version': sidecarVersion(),
      // One sidecar among several in front of different Ollama servers.
      'service.instance.id': `${os.hostname()}:${config.port}`,
    },
    server: { address: upstream.hostname.replace(/^\[|\]$/g, ''), port },
    captureContent: config.otlpCaptureContent,
    redact: config.redact,
    redactPatterns: config.redactPatterns,
    queueSize: config.otlpQueueSize,
    batchDelayMs: BATCH_DELAY_MS,
    exportTimeoutMs: EXPORT_TIMEOUT_MS,
  };
}

/** The export sink when --otlp-endpoint is set, else null. `overrides` lets tests shorten the timings. */
export function createOtelExport(
  config: Config,
  log: OtelExportLog,
  overrides: Partial<Pick<ExportInit, 'batchDelayMs' | 'exportTimeoutMs'>> = {}
): OtelExport | null {
  if (!config.otlpEndpoint) return null;
  return new OtelExport({
    init: { ...exportInit(config), ...overrides },
    log,
    memoryMb: config.workerMemoryMb,
  });
}
