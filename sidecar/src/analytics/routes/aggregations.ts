import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters, parseInclude, type FilterQuery } from '../params';
import { aggregationQuery, aggregationsSchema, ERROR_RESPONSES } from '../schemas';

/** Summary cards (with the change against the previous window), time series, breakdowns, histogram, scatter. */
export function registerAggregationRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app.get<{ Querystring: FilterQuery & { interval?: number; include?: string[] } }>(
    '/analytics/aggregations',
    { schema: { querystring: aggregationQuery, response: { 200: aggregationsSchema, ...ERROR_RESPONSES } } },
    async (req) =>
      ctx.query('aggregations', parseFilters(req.query), {
        intervalS: req.query.interval,
        include: parseInclude(req.query.include),
      })
  );
}
