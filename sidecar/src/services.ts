import type { Registry } from 'prom-client';
import type { Config } from './config';
import type { Tap } from './tap/tap';
import type { Upstream } from './upstream/upstream';

/** A named readiness check for /readyz (the upstream, the store, …). */
export interface ReadinessCheck {
  name: string;
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
  /** Set by the store plugin; read by the metrics plugin at every scrape (ollama_store_* metrics). */
  storeStats?: () => import('./metrics/store-stats').StoreStats;
}
