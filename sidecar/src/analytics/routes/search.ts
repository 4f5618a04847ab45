import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters, type FilterQuery } from '../params';
import { ERROR_RESPONSES, querystring, searchSchema } from '../schemas';

/** Full-text matches with highlighted snippets (as plain/matched segments, never markup). */
export function registerSearchRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app.get<{ Querystring: FilterQuery & { limit: number } }>(
    '/analytics/search',
    {
      schema: {
        querystring: querystring({ limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }),
        response: { 200: searchSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => ({ results: await ctx.query('search', parseFilters(req.query), req.query.limit) })
  );
}
