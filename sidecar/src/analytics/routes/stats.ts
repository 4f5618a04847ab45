import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CurrentStats,
  ERROR_RESPONSES,
  FilterQuery,
  History,
  HistoryQuery,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters } from '../params';

/** Headline numbers and their history (the monitoring API's stats endpoints), from the stored messages. */
export function registerStatsRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    '/analytics/stats/current',
    { schema: { querystring: FilterQuery, response: { 200: CurrentStats, ...ERROR_RESPONSES } } },
    async (req) =>
      ctx.query('currentStats', parseFilters(req.query), (Date.now() - ctx.services.startedAt) / 1000)
  );
  typed.get(
    '/analytics/stats/history',
    { schema: { querystring: HistoryQuery, response: { 200: History, ...ERROR_RESPONSES } } },
    async (req) => ({ metrics: await ctx.query('history', parseFilters(req.query), req.query.interval) })
  );
}
