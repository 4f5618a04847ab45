import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  DataSummary,
  DeleteBeforeQuery,
  Deleted,
  ERROR_RESPONSES,
  NoQuery,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';

/** Data management: what is stored, and deleting it (by age or everything). */
export function registerDataRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    '/analytics/data/summary',
    { schema: { querystring: NoQuery, response: { 200: DataSummary, ...ERROR_RESPONSES } } },
    async () => ctx.query('dataSummary')
  );
  typed.delete(
    '/analytics/data/messages',
    { schema: { querystring: DeleteBeforeQuery, response: { 200: Deleted, ...ERROR_RESPONSES } } },
    async (req) => ({ deleted: Number(await ctx.command({ op: 'deleteBefore', before: req.query.before })) })
  );
  typed.delete(
    '/analytics/data/all',
    { schema: { querystring: NoQuery, response: { 200: Deleted, ...ERROR_RESPONSES } } },
    async () => ({ deleted: Number(await ctx.command({ op: 'deleteAll' })) })
  );
}
