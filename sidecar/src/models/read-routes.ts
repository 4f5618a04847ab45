import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MODELS_API } from '@ollama-lens/contracts';
import {
  ERROR_RESPONSES,
  ErrorBody,
  InstalledModels,
  ModelDetail,
  ModelDetailQuery,
  ModelUsageQuery,
  ModelUsageResponse,
  NoQuery,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import { clampTo } from '../analytics/params';
import type { ModelsContext } from './context';
import { validationMessage } from './validation';

const DAY_MS = 86_400_000;

/** A read of Ollama may also fail on Ollama's side: no such model, unreachable, too slow. */
const OLLAMA_READ_ERRORS = { ...ERROR_RESPONSES, 404: ErrorBody, 502: ErrorBody, 504: ErrorBody } as const;

/** The Models page's reads (the read token is enough): what is installed and loaded, usage, one model. */
export function registerModelReadRoutes(app: FastifyInstance, ctx: ModelsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    MODELS_API.installed,
    { schema: { querystring: NoQuery, response: { 200: InstalledModels, ...OLLAMA_READ_ERRORS } } },
    async () => {
      const [installed, loaded, preferences] = await Promise.all([
        ctx.ollama.installed(),
        ctx.ollama.loaded(),
        ctx.preferences.read(),
      ]);
      const inMemory = new Set(loaded.map((m) => m.name));
      const favourites = new Set(preferences.favourites);
      return {
        installed: installed.map((m) => ({
          ...m,
          favourite: favourites.has(m.name),
          is_default: preferences.default_model === m.name,
          loaded: inMemory.has(m.name),
        })),
        loaded,
        preferences,
        actions_enabled: ctx.services.config.actionsToken !== '',
      };
    }
  );

  typed.get(
    MODELS_API.usage,
    { schema: { querystring: ModelUsageQuery, response: { 200: ModelUsageResponse, ...ERROR_RESPONSES } } },
    async (req) => {
      // The events route's window rules: `to` clamped to a day past now, the last 24 hours by default.
      const to = clampTo(req.query.to) ?? Date.now();
      const from = req.query.from ?? to - DAY_MS;
      return { models: await ctx.query('modelUsage', { from, to }) };
    }
  );

  typed.get(
    MODELS_API.detail,
    {
      schema: { querystring: ModelDetailQuery, response: { 200: ModelDetail, ...OLLAMA_READ_ERRORS } },
      schemaErrorFormatter: validationMessage,
    },
    async (req) => ctx.ollama.show(req.query.name)
  );
}
