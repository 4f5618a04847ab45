import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SqliteError } from 'better-sqlite3';
import type { Services } from '../services';
import { RangeError400 } from '../store/aggregate';
import { CursorError } from '../store/filters';
import { storeOf } from '../store/plugin';
import type { MessageStore } from '../store/store';
import { bearerAuth } from './auth';
import { registerCors } from './cors';
import { HttpError } from './params';
import { registerAggregationRoutes } from './routes/aggregations';
import { registerDataRoutes } from './routes/data';
import { registerExportRoutes } from './routes/export';
import { registerMessageRoutes } from './routes/messages';
import { registerSearchRoutes } from './routes/search';
import { registerStatsRoutes } from './routes/stats';
import { registerValueRoutes } from './routes/values';
import { errorSchema } from './schemas';

/** What every route module receives. */
export interface AnalyticsContext {
  services: Services;
  /** The open message store, or an HttpError 503 explaining why there is none. */
  store(): MessageStore;
}

/** SQLite failures that mean "the store cannot serve now", not "the request was wrong". */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CORRUPT|CANTOPEN|NOTADB|NOMEM)/;

/**
 * The analytics API under /analytics/*: the Explorer's only way to the stored messages. Encapsulated,
 * so its auth, CORS and error handling never touch the proxy routes.
 */
export async function analyticsPlugin(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  const ctx: AnalyticsContext = {
    services,
    store() {
      const handle = storeOf(services);
      if (!config.storeEnabled || !handle)
        throw new HttpError(503, 'the message store is disabled (--store=false)');
      if (!handle.store || !handle.store.isOpen)
        throw new HttpError(503, `the message store is unavailable: ${handle.openError ?? 'closed'}`);
      return handle.store;
    },
  };

  if (config.corsOrigins.length > 0) registerCors(app, config.corsOrigins);
  if (config.adminToken) {
    const check = bearerAuth(config.adminToken);
    app.addHook('onRequest', async (req, reply) => {
      if (req.method === 'OPTIONS' && config.corsOrigins.length > 0) return;
      await check(req, reply);
    });
  }

  // Empty parameters (`from=`, as template variables often produce) mean "not set"; unknown ones are
  // a client mistake worth a clear 400 rather than being silently ignored.
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const query = req.query as Record<string, unknown> | undefined;
    if (!query || typeof query !== 'object') return;
    const schema = req.routeOptions.schema?.querystring as
      { properties?: Record<string, unknown> } | undefined;
    if (!schema) return;
    const known = schema.properties ?? {};
    for (const [key, value] of Object.entries(query)) {
      const blank = (v: unknown) => typeof v === 'string' && v.trim() === '';
      if (blank(value) || (Array.isArray(value) && value.every(blank))) {
        delete query[key];
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(known, key)) {
        const names = Object.keys(known);
        throw new HttpError(
          400,
          `unknown query parameter "${key}"${names.length ? `; this route accepts: ${names.join(', ')}` : ''}`
        );
      }
    }
  });

  app.setErrorHandler((err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if ('validation' in err && err.validation) return reply.code(400).send({ error: err.message });
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message });
    if (err instanceof CursorError || err instanceof RangeError400)
      return reply.code(400).send({ error: err.message });
    if (err instanceof SqliteError && UNAVAILABLE_CODES.test(err.code)) {
      req.log.warn({ err }, 'analytics query failed: store unavailable');
      return reply.code(503).send({ error: `the message store is unavailable: ${err.message}` });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: err.message });
    req.log.error({ err }, 'analytics request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  registerMessageRoutes(app, ctx);
  registerAggregationRoutes(app, ctx);
  registerSearchRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerValueRoutes(app, ctx);
  registerStatsRoutes(app, ctx);
  registerDataRoutes(app, ctx);

  // Anything else under /analytics is ours too: answer 404 here instead of forwarding it to Ollama.
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/analytics/*',
    schema: { response: { 404: errorSchema } },
    handler: async (req, reply) =>
      reply.code(404).send({ error: `no such analytics route: ${req.method} ${req.url.split('?')[0]}` }),
  });
}
