import type { Registry } from 'prom-client';
import type { Config } from './config';
import type { EventLog } from './events/event-log';
import type { StatusService } from './status/status-service';
import type { InFlight } from './metrics/recorder';
import type { LiveSignals } from './metrics/signals';
import type { OtelExport } from './otel/export-client';
import type { StoreThreads } from './store/threads/store-threads';
import type { Tap } from './tap/tap';
import type { Upstream } from './upstream/upstream';

/** A named readiness check for /readyz (the upstream, the store, …). */
export interface ReadinessCheck {
  name: string;
  /** false: reported (a failure makes /readyz say "degraded") but never fails readiness. Default true. */
  critical?: boolean;
  /** `detail` is shown only to a caller with the admin token: it may hold paths and URLs. */
  check(): Promise<{ ok: boolean; detail?: unknown }>;
}

/**
 * What the plugins share. Built once by buildApp and handed to each plugin as its options, so each
 * concern stays in its own encapsulated plugin and the wiring is visible in one place (app.ts).
 */
export interface Services {
  config: Config;
  tap: Tap;
  upstream: Upstream;
  /** The one prom-client registry behind /metrics. */
  registry: Registry;
  readiness: ReadinessCheck[];
  startedAt: number;
  /** The message store's threads (writer and readers); null when the store is off (--store=false). */
  store: StoreThreads | null;
  /** The OpenTelemetry export (--otlp-endpoint); null or absent when off. */
  otel?: OtelExport | null;
  /** Ollama's state, the host and the GPUs, polled (null when neither metrics nor the store are on). */
  signals?: LiveSignals | null;
  /** The requests in flight per model (fed by the metrics recorder): the queue depth. */
  inFlight?: InFlight;
  /** The event log (kept in the store; null when the store is off). */
  events?: EventLog | null;
  /** The status line (null when there are no signals to read). */
  status?: StatusService | null;
  /**
   * The proxy listener's base URL once it listens: the sidecar's own requests to Ollama (the status line's
   * phrasing, the model actions, the playground) go through it, so they are measured like any other.
   */
  proxyUrl?: () => string | undefined;
}
