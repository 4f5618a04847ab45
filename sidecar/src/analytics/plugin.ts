import { ErrorBody } from '@ollama-lens/contracts/schemas';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services';
import type { WriterCommand } from '../store/threads/protocol';
import type { ReaderPool } from '../store/threads/reader-pool';
import { StoreThreadError, type StoreErrorKind } from '../store/threads/thread-events';
import { bearerAuth } from './auth';
import { registerCors } from './cors';
import { checkNumbers, HttpError } from './params';
import { registerAggregationRoutes } from './routes/aggregations';
import { registerDataRoutes } from './routes/data';
import { registerEventRoutes } from './routes/events';
import { registerExportRoutes } from './routes/export';
import { registerMessageRoutes } from './routes/messages';
import { registerSearchRoutes } from './routes/search';
import { registerStatsRoutes } from './routes/stats';
import { registerValueRoutes } from './routes/values';
import { registerModelRoutes } from '../models/plugin';

/** What every route module receives. */
export interface AnalyticsContext {
  services: Services;
  /** Runs a store query on a reader thread (never on this one), within the query budget. */
  query: ReaderPool['query'];
  /** Runs a data-management command (delete) on the writer thread. */
  command(command: WriterCommand): Promise<number | boolean>;
}

const STATUS_OF: Record<StoreErrorKind, number> = {
  bad_request: 400,
  unavailable: 503,
  timeout: 503,
  internal: 500,
};

/**
 * The analytics API under /analytics/*: the Explorer's only way to the stored messages. Encapsulated,
 * so its auth, CORS and error handling never touch the proxy routes.
 */
export async function analyticsPlugin(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  const { store } = services;
  const disabled = () => new HttpError(503, 'the message store is disabled (--store=false)');
  const ctx: AnalyticsContext = {
    services,
    query: store ? (name, ...args) => store.readers.query(name, ...args) : () => Promise.reject(disabled()),
    command: store ? (command) => store.command(command) : () => Promise.reject(disabled()),
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
    checkNumbers(query, known);
  });

  app.setErrorHandler((err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if ('validation' in err && err.validation) return reply.code(400).send({ error: err.message });
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message });
    if (err instanceof StoreThreadError && err.kind !== 'internal') {
      if (err.kind !== 'bad_request') req.log.warn({ err }, 'analytics query failed');
      const message =
        err.kind === 'unavailable' && !/unavailable|closing|stopped|waiting|needed more/.test(err.message)
          ? `the message store is unavailable: ${err.message}`
          : err.message;
      return reply.code(STATUS_OF[err.kind]).send({ error: message });
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
  registerEventRoutes(app, ctx);
  registerDataRoutes(app, ctx);
  // The Models page and the Playground (their write routes also need the actions token).
  await registerModelRoutes(app, ctx);

  // Anything else under /analytics is ours too: answer 404 here instead of forwarding it to Ollama.
  app.route({
    // OPTIONS too when no CORS preflight route claims it: nothing under /analytics goes to Ollama.
    method: [
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      ...(config.corsOrigins.length > 0 ? [] : ['OPTIONS' as const]),
    ],
    url: '/analytics/*',
    schema: { response: { 404: ErrorBody } },
    handler: async (req, reply) =>
      reply.code(404).send({ error: `no such analytics route: ${req.method} ${req.url.split('?')[0]}` }),
  });
}
