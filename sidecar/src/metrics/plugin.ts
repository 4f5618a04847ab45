/**
 * The metrics plugin: creates the contract's metrics on the shared registry, feeds them from the tap
 * (the recorder sink) and from pollers (Ollama, host, GPU), and serves GET /metrics on the admin
 * instance in Prometheus text or OpenMetrics, as the scraper asks.
 */
import type { FastifyPluginAsync } from 'fastify';
import { bearerAuth } from '../analytics/auth';
import { isLoopback } from '../config';
import type { Services } from '../services';
import { CONTENT_TYPES, negotiateFormat, renderMetrics } from './exposition';
import { GpuCollector, nvidiaSmiSource } from './gpu';
import { rocmSmiSource } from './gpu-amd';
import { ioregSource } from './gpu-apple';
import { HostCollector } from './host';
import { BoundedLabel, UNINSTALLED_MODEL_LIMIT } from './labels';
import { createMetrics, registerDefaultMetrics } from './metrics';
import { OllamaCollector } from './ollama-collector';
import { Poller } from './poller';
import { InFlight, MetricsRecorder } from './recorder';
import { storeHooks } from './store-stats';
import { otelHooks } from '../otel/metrics-hooks';
import { Redactor } from '../store/redact';

export const metricsPlugin: FastifyPluginAsync<Services> = async (app, services) => {
  const { config, registry } = services;
  const log = app.log.child({ plugin: 'metrics' });

  registerDefaultMetrics(registry);

  const models = new BoundedLabel(UNINSTALLED_MODEL_LIMIT);
  const timeoutMs = Math.max(1000, Math.min(5000, config.pollIntervalMs));
  const ollama = new OllamaCollector({
    upstream: config.upstream,
    timeoutMs,
    onModels: (names) => names.forEach((n) => models.pin(n)),
  });
  const host = new HostCollector();
  const gpu = new GpuCollector({
    sources: [nvidiaSmiSource(config.nvidiaSmi), rocmSmiSource(config.rocmSmi), ioregSource(config.ioreg)],
    timeoutMs,
  });

  let noGpuToolLogged = false;

  const inFlight = new InFlight();
  const metrics = createMetrics(registry, {
    userLabel: config.userLabel,
    collect: {
      ...ollama.hooks(),
      ...host.hooks(),
      ...gpu.hooks(),
      ...storeHooks(services.store ? () => services.store!.stats : undefined),
      ...otelHooks(services.otel ? () => services.otel!.stats : undefined),
      queueDepth: (g) => g.set(inFlight.queueDepth(config.ollamaNumParallel)),
    },
    onCollectError: (metric, err) =>
      log.warn({ err, metric }, 'collecting a metric failed; the scrape goes on without it'),
  });
  const recorder = new MetricsRecorder(metrics, {
    prices: config.prices,
    // With --redact, the user label shows what the store keeps: the redacted value.
    redactor: config.redact ? new Redactor(config.redactPatterns) : undefined,
    userLabel: config.userLabel,
    userLabelLimit: config.userLabelLimit,
    ollamaNumParallel: config.ollamaNumParallel,
    models,
    inFlight,
    onError: (err) => log.error({ err }, 'recording metrics failed; request unaffected'),
  });
  services.tap.addSink(recorder);

  const poller = new Poller(
    config.pollIntervalMs,
    [
      { name: 'ollama', run: () => ollama.poll() },
      { name: 'host', run: () => host.poll() },
      // One task per GPU tool, so each one's failure and recovery is logged once on its own; a tool
      // that is not installed is noted once at debug level and never run again, and a machine with
      // none of them gets one info line.
      ...gpu.pollers.map((p) => ({
        name: `gpu:${p.source.tool}`,
        run: async () => {
          const before = p.state;
          await p.poll();
          if (p.state === 'absent' && before !== 'absent')
            log.debug({ command: p.source.command }, `${p.source.tool} not found: no GPU metrics from it`);
          if (!noGpuToolLogged && gpu.pollers.every((q) => q.state === 'absent')) {
            noGpuToolLogged = true;
            log.info(
              { tools: gpu.pollers.map((q) => q.source.command) },
              'no GPU tool found: no GPU metrics'
            );
          }
          if (p.state === 'failing')
            throw new Error(`${p.source.tool} failed: ${p.lastError ?? 'unknown error'}`);
        },
      })),
    ],
    {
      onFailing: (task, err) =>
        log.warn({ err, task }, 'polling failed; its gauges are absent until it recovers'),
      onRecovered: (task) => log.info({ task }, 'polling recovered'),
    }
  );
  void poller.start();
  app.addHook('onClose', async () => {
    await poller.stop();
    await ollama.close();
  });

  // Beyond loopback the metrics need the admin token like every admin endpoint (Prometheus sends it
  // with `authorization: { credentials_file: … }`); on loopback they stay open for a local scraper.
  const exposed = config.adminPort === 0 ? !isLoopback(config.host) : !isLoopback(config.adminHost);
  if (exposed && !config.adminToken)
    throw new Error('/metrics would listen beyond loopback without a token: set OLLAMA_LENS_ADMIN_TOKEN');
  const onRequest = exposed && config.adminToken ? [bearerAuth(config.adminToken)] : [];

  app.get('/metrics', { onRequest }, async (request, reply) => {
    const format = negotiateFormat(request.headers.accept);
    const body = await renderMetrics(registry, format);
    return reply
      .header('content-type', CONTENT_TYPES[format])
      .header('cache-control', 'no-store')
      .header('vary', 'Accept')
      .send(body);
  });
};
