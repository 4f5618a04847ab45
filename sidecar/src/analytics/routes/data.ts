import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { dataSummarySchema, deletedSchema, epochMs, ERROR_RESPONSES, querystring } from '../schemas';

/** Data management: what is stored, and deleting it (by age or everything). */
export function registerDataRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app.get(
    '/analytics/data/summary',
    {
      schema: {
        querystring: querystring({}, false),
        response: { 200: dataSummarySchema, ...ERROR_RESPONSES },
      },
    },
    async () => ctx.query('dataSummary')
  );
  app.delete<{ Querystring: { before: number } }>(
    '/analytics/data/messages',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { before: epochMs('epoch ms: messages that started before it are deleted') },
          required: ['before'],
        },
        response: { 200: deletedSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => ({ deleted: Number(await ctx.command({ op: 'deleteBefore', before: req.query.before })) })
  );
  app.delete(
    '/analytics/data/all',
    { schema: { querystring: querystring({}, false), response: { 200: deletedSchema, ...ERROR_RESPONSES } } },
    async () => ({ deleted: Number(await ctx.command({ op: 'deleteAll' })) })
  );
}
