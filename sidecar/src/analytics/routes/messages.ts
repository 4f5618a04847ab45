import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { HttpError, parseFilters, type FilterQuery, type SortQuery } from '../params';
import {
  deletedSchema,
  detailSchema,
  ERROR_RESPONSES,
  errorSchema,
  pageSchema,
  querystring,
  SORT_PROPERTIES,
} from '../schemas';

export const PAGE_LIMIT = { min: 10, max: 100, default: 25 } as const;

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['id'],
} as const;

/** The Explorer table (a keyset page), one message in full, and deleting one message. */
export function registerMessageRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app.get<{ Querystring: FilterQuery & SortQuery & { limit: number; cursor?: string } }>(
    '/analytics/messages',
    {
      schema: {
        querystring: querystring({
          ...SORT_PROPERTIES,
          limit: {
            type: 'integer',
            minimum: PAGE_LIMIT.min,
            maximum: PAGE_LIMIT.max,
            default: PAGE_LIMIT.default,
          },
          cursor: { type: 'string', maxLength: 2000 },
        }),
        response: { 200: pageSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const { sort, order, limit, cursor } = req.query;
      return ctx.query('listMessages', parseFilters(req.query), { sort, order, limit, cursor });
    }
  );

  app.get<{ Params: { id: string } }>(
    '/analytics/messages/:id',
    {
      schema: {
        params: idParams,
        querystring: querystring({}, false),
        response: { 200: detailSchema, 404: errorSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const detail = await ctx.query('getMessage', req.params.id);
      if (!detail) throw new HttpError(404, `no message with id ${JSON.stringify(req.params.id)}`);
      return detail;
    }
  );

  app.delete<{ Params: { id: string } }>(
    '/analytics/messages/:id',
    {
      schema: {
        params: idParams,
        querystring: querystring({}, false),
        response: { 200: deletedSchema, 404: errorSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      if (!(await ctx.command({ op: 'deleteById', id: req.params.id })))
        throw new HttpError(404, `no message with id ${JSON.stringify(req.params.id)}`);
      return { deleted: 1 };
    }
  );
}
