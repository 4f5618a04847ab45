import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters, type FilterQuery } from '../params';
import { categoriesSchema, ERROR_RESPONSES, modelsSchema, querystring, usersSchema } from '../schemas';

/** Values for Grafana variables: models, users, categories, each with its message count. */
export function registerValueRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  const qs = querystring();
  app.get<{ Querystring: FilterQuery }>(
    '/analytics/models',
    { schema: { querystring: qs, response: { 200: modelsSchema, ...ERROR_RESPONSES } } },
    async (req) => ({
      models: await ctx.query('values', 'model', parseFilters(req.query)),
    })
  );
  app.get<{ Querystring: FilterQuery }>(
    '/analytics/users',
    { schema: { querystring: qs, response: { 200: usersSchema, ...ERROR_RESPONSES } } },
    async (req) => ({
      users: await ctx.query('values', 'user', parseFilters(req.query)),
    })
  );
  app.get<{ Querystring: FilterQuery }>(
    '/analytics/categories',
    { schema: { querystring: qs, response: { 200: categoriesSchema, ...ERROR_RESPONSES } } },
    async (req) => ({ categories: await ctx.query('values', 'category', parseFilters(req.query)) })
  );
}
