import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters, type FilterQuery } from '../params';
import {
  currentStatsSchema,
  ERROR_RESPONSES,
  historySchema,
  INTERVAL_PROPERTY,
  querystring,
} from '../schemas';

/** Headline numbers and their history (the monitoring API's stats endpoints), from the stored messages. */
export function registerStatsRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app.get<{ Querystring: FilterQuery }>(
    '/analytics/stats/current',
    { schema: { querystring: querystring(), response: { 200: currentStatsSchema, ...ERROR_RESPONSES } } },
    async (req) =>
      ctx.query('currentStats', parseFilters(req.query), (Date.now() - ctx.services.startedAt) / 1000)
  );
  app.get<{ Querystring: FilterQuery & { interval?: number } }>(
    '/analytics/stats/history',
    {
      schema: {
        querystring: querystring({ interval: INTERVAL_PROPERTY }),
        response: { 200: historySchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => ({ metrics: await ctx.query('history', parseFilters(req.query), req.query.interval) })
  );
}
