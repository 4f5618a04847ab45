import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { Config } from './config';
import { analyticsPlugin } from './analytics/plugin';
import { EventLog } from './events/event-log';
import { startDetails } from './events/started';
import { healthPlugin } from './health/plugin';
import { metricsPlugin } from './metrics/plugin';
import { InFlight } from './metrics/recorder';
import { LiveSignals } from './metrics/signals';
import { createOtelExport } from './otel/otel-export';
import { proxyPlugin } from './proxy/plugin';
import type { Services } from './services';
import { OllamaPhraser } from './status/phrase';
import { signalReaders } from './status/sources';
import { StatusService } from './status/status-service';
import { StoreThreads } from './store/threads/store-threads';
import type { RecordSink } from './tap/record';
import { LogSink } from './tap/log-sink';
import { Tap } from './tap/tap';
import { Upstream } from './upstream/upstream';

export interface Sidecar {
  /** The instance apps talk to (Ollama's API). */
  proxy: FastifyInstance;
  /** The instance serving /metrics, /healthz, /readyz and /analytics: the proxy itself unless adminPort is set. */
  admin: FastifyInstance;
  services: Services;
  listen(): Promise<{ proxyUrl: string; adminUrl: string }>;
  /** Stops accepting, drains in-flight requests, flushes the sinks. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Extra sinks (tests use this to observe records). */
  sinks?: RecordSink[];
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<Sidecar> {
  const proxy = Fastify({
    logger: { level: config.logLevel },
    // Per-request logging would cost more than the proxy itself; the tap records every request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Ollama's paths are case-sensitive and may contain ':'; never rewrite them.
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: 1000 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestIdHeader: false,
  });
  const separateAdmin = config.adminPort !== 0;
  const admin = separateAdmin
    ? Fastify({
        logger: { level: config.logLevel },
        logController: new LogController({ disableRequestLogging: true }),
        forceCloseConnections: 'idle',
      })
    : proxy;

  const tap = new Tap((sink, err) => proxy.log.error({ err, sink }, 'sink failed; request unaffected'));
  const upstream = new Upstream(config);
  // The store lives in its own threads: the proxy's thread only hands records to the writer thread,
  // and analytics queries run on reader threads.
  const store = config.storeEnabled
    ? new StoreThreads(config, proxy.log.child({ component: 'store' }))
    : null;
  // OpenTelemetry spans are built and exported in a thread of their own (--otlp-endpoint; null when off).
  const otel = createOtelExport(config, proxy.log.child({ component: 'otel' }));
  // Ollama's state, the host and the GPUs, polled for the metrics' gauges and the store's events.
  const signals =
    config.metricsEnabled || store
      ? new LiveSignals(config, proxy.log.child({ component: 'signals' }))
      : null;
  // The event log (model loads, Ollama restarts, store drops…), kept in the store: it explains a change
  // on a chart. Fed by the Ollama poll, by forwarded requests and by the store's own counters.
  const events = store
    ? new EventLog({
        sink: store.writer,
        onError: (err) => proxy.log.warn({ err }, 'an event could not be kept; requests unaffected'),
      })
    : null;
  if (events && store && signals) {
    signals.ollama.onSnapshot((snapshot, at) => {
      events.observeOllama(snapshot, at);
      events.observeStore(store.stats, at);
    });
  }
  const inFlight = new InFlight();
  let proxyUrl: string | undefined;
  // The status line, rebuilt in the background from every signal (never awaited by a request).
  const status = signals
    ? new StatusService(
        signalReaders({
          store,
          signals,
          events,
          inFlight: config.metricsEnabled ? inFlight : null,
          ollamaNumParallel: config.ollamaNumParallel,
        }),
        {
          refreshMs: config.statusRefreshMs,
          windowMinutes: 5,
          phraser: config.statusModel
            ? new OllamaPhraser({ proxyUrl: () => proxyUrl, model: config.statusModel, timeoutMs: 20_000 })
            : undefined,
          onError: (err, what) =>
            proxy.log.warn({ err }, `${what} failed; the status line goes on without it`),
        }
      )
    : null;
  const services: Services = {
    config,
    tap,
    upstream,
    registry: new Registry(),
    readiness: [],
    startedAt: Date.now(),
    store,
    otel,
    signals,
    inFlight,
    events,
    status,
    proxyUrl: () => proxyUrl,
  };
  if (config.logRecords) tap.addSink(new LogSink(proxy.log));
  if (store) {
    tap.addSink(store.writer);
    if (events) tap.addSink(events);
    // A store in trouble is reported ("degraded"), never a reason to stop forwarding.
    services.readiness.push({ name: 'store', critical: false, check: () => store.health() });
  }
  if (otel) {
    tap.addSink(otel);
    // Like the store: reported ("degraded" when failing), never a reason to stop forwarding.
    services.readiness.push({ name: 'otel', critical: false, check: () => otel.health() });
  }
  for (const sink of opts.sinks ?? []) tap.addSink(sink);

  // Admin concerns first: their routes are exact paths, the proxy is the catch-all.
  await admin.register(healthPlugin, services);
  if (config.metricsEnabled) await admin.register(metricsPlugin, services);
  await admin.register(analyticsPlugin, services);
  await proxy.register(proxyPlugin, services);
  void signals?.start();
  if (events && store) void startDetails(config, store).then((details) => events.started(details));

  let closed = false;
  return {
    proxy,
    admin,
    services,
    async listen() {
      proxyUrl = await proxy.listen({ host: config.host, port: config.port });
      const adminUrl = separateAdmin
        ? await admin.listen({ host: config.adminHost, port: config.adminPort })
        : proxyUrl;
      status?.start();
      return { proxyUrl, adminUrl };
    },
    async close() {
      if (closed) return;
      closed = true;
      // fastify.close waits for in-flight requests (streams included) before resolving. Keep-alive
      // connections that finish a request during the drain would otherwise idle until their timeout
      // (72 s): close each as soon as it goes idle.
      const sweep = setInterval(() => {
        proxy.server.closeIdleConnections();
        if (separateAdmin) admin.server.closeIdleConnections();
      }, 100);
      try {
        await proxy.close();
        if (separateAdmin) await admin.close();
      } finally {
        clearInterval(sweep);
      }
      // Every in-flight request has ended, so every record has reached the tap: the writer thread now
      // writes all it was handed before the store closes.
      await status?.stop();
      await tap.close();
      await store?.close();
      await otel?.close();
      await signals?.close();
      await upstream.close();
    },
  };
}
