import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CategoryList,
  ERROR_RESPONSES,
  FilterQuery,
  HostList,
  ModelList,
  UserList,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters } from '../params';

/** Values for Grafana variables: models, users, categories, hosts, each with its message count. */
export function registerValueRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    '/analytics/models',
    { schema: { querystring: FilterQuery, response: { 200: ModelList, ...ERROR_RESPONSES } } },
    async (req) => ({ models: await ctx.query('values', 'model', parseFilters(req.query)) })
  );
  typed.get(
    '/analytics/users',
    { schema: { querystring: FilterQuery, response: { 200: UserList, ...ERROR_RESPONSES } } },
    async (req) => ({ users: await ctx.query('values', 'user', parseFilters(req.query)) })
  );
  typed.get(
    '/analytics/categories',
    { schema: { querystring: FilterQuery, response: { 200: CategoryList, ...ERROR_RESPONSES } } },
    async (req) => ({ categories: await ctx.query('values', 'category', parseFilters(req.query)) })
  );
  typed.get(
    '/analytics/hosts',
    { schema: { querystring: FilterQuery, response: { 200: HostList, ...ERROR_RESPONSES } } },
    async (req) => ({ hosts: await ctx.query('values', 'host', parseFilters(req.query)) })
  );
}
