import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES, SearchQuery, SearchResults } from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../plugin';
import { parseFilters } from '../params';

/** Full-text matches with highlighted snippets (as plain/matched segments, never markup). */
export function registerSearchRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/analytics/search',
      { schema: { querystring: SearchQuery, response: { 200: SearchResults, ...ERROR_RESPONSES } } },
      async (req) => ({ results: await ctx.query('search', parseFilters(req.query), req.query.limit) })
    );
}
