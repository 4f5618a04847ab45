import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  Deleted,
  ERROR_RESPONSES,
  ErrorBody,
  MessageDetailResponse,
  MessageIdParams,
  MessagesPage,
  MessagesQuery,
  NoQuery,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { HttpError, parseFilters } from '../params';

/** The Explorer table (a keyset page), one message in full, and deleting one message. */
export function registerMessageRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    '/analytics/messages',
    { schema: { querystring: MessagesQuery, response: { 200: MessagesPage, ...ERROR_RESPONSES } } },
    async (req) => {
      const { sort, order, limit, cursor } = req.query;
      return ctx.query('listMessages', parseFilters(req.query), { sort, order, limit, cursor });
    }
  );

  typed.get(
    '/analytics/messages/:id',
    {
      schema: {
        params: MessageIdParams,
        querystring: NoQuery,
        response: { 200: MessageDetailResponse, 404: ErrorBody, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const detail = await ctx.query('getMessage', req.params.id);
      if (!detail) throw new HttpError(404, `no message with id ${JSON.stringify(req.params.id)}`);
      return detail;
    }
  );

  typed.delete(
    '/analytics/messages/:id',
    {
      schema: {
        params: MessageIdParams,
        querystring: NoQuery,
        response: { 200: Deleted, 404: ErrorBody, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      if (!(await ctx.command({ op: 'deleteById', id: req.params.id })))
        throw new HttpError(404, `no message with id ${JSON.stringify(req.params.id)}`);
      return { deleted: 1 };
    }
  );
}
