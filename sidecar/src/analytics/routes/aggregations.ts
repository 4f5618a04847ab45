import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Aggregations, AggregationsQuery, ERROR_RESPONSES } from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters, parseInclude } from '../params';

/** Summary cards (with the change against the previous window), time series, breakdowns, histogram, scatter. */
export function registerAggregationRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/analytics/aggregations',
      { schema: { querystring: AggregationsQuery, response: { 200: Aggregations, ...ERROR_RESPONSES } } },
      async (req) =>
        ctx.query('aggregations', parseFilters(req.query), {
          intervalS: req.query.interval,
          include: parseInclude(req.query.include),
        })
    );
}
