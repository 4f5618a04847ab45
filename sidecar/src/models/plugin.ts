import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../analytics/plugin';
import { actionsAuth } from './actions-auth';
import { registerModelActionRoutes } from './action-routes';
import type { ModelsContext } from './context';
import { OllamaModels } from './ollama-models';
import { PreferencesFile, preferencesPath } from './preferences';
import { registerPlaygroundRoutes } from './playground-routes';
import { registerModelReadRoutes } from './read-routes';
import { SelfProxy } from './self-proxy';

/**
 * The Models page's and the Playground's routes, inside the analytics API (its read-token check, error
 * handler and 404 catch-all apply). The write routes live in a child scope of their own, whose hook
 * also requires the actions token: the read token alone never reaches them.
 */
export async function registerModelRoutes(app: FastifyInstance, analytics: AnalyticsContext): Promise<void> {
  const { services } = analytics;
  const selfProxy = new SelfProxy(() => services.proxyUrl?.());
  const ctx: ModelsContext = {
    ...analytics,
    ollama: new OllamaModels(services.upstream),
    preferences: new PreferencesFile(preferencesPath(services.config), (err) =>
      app.log.warn({ err }, 'the model preferences file could not be read; starting from none')
    ),
    selfProxy,
  };
  // Closed when the shutdown begins, not after: after an aborted request undici reconnects at once and
  // keeps that unused connection open, which the server's close would wait on. Requests in flight
  // finish first (close() waits for them); new ones are refused, as the listener refuses them.
  let closing: Promise<void> | undefined;
  app.addHook('preClose', async () => {
    closing = selfProxy.close();
  });
  app.addHook('onClose', async () => closing ?? selfProxy.close());

  registerModelReadRoutes(app, ctx);
  registerPlaygroundRoutes(app, ctx);
  await app.register(async (writes) => {
    writes.addHook('onRequest', actionsAuth(services.config.actionsToken));
    registerModelActionRoutes(writes, ctx);
  });
}
