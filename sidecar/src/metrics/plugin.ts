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
import { BoundedLabel, UNINSTALLED_MODEL_LIMIT } from './labels';
import { createMetrics, registerDefaultMetrics } from './metrics';
import { OllamaCollector } from './ollama-collector';
import { MetricsRecorder } from './recorder';
import { storeHooks } from './store-stats';
import { otelHooks } from '../otel/metrics-hooks';
import { Redactor } from '../store/redact';

export const metricsPlugin: FastifyPluginAsync<Services> = async (app, services) => {
  const { config, registry } = services;
  const log = app.log.child({ plugin: 'metrics' });

  registerDefaultMetrics(registry);

  const { signals, inFlight } = services;
  if (!signals || !inFlight)
    throw new Error('metrics need the live signals and the in-flight table (app.ts)');
  const { ollama, host, gpu } = signals;
  // Models Ollama has are always their own label value; the limit applies to names it does not know.
  const models = new BoundedLabel(UNINSTALLED_MODEL_LIMIT);
  ollama.onSnapshot((snapshot) => OllamaCollector.modelNames(snapshot).forEach((n) => models.pin(n)));

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
