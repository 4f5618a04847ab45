import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EVENT_GROUPS, EVENT_TYPE_GROUPS, EVENT_TYPES, type EventType } from '@ollama-lens/contracts';
import {
  ERROR_RESPONSES,
  EventsQuery,
  EventsResponse,
  NoQuery,
  StatusResponse,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import { canonicalModelName } from '../../metrics/labels';
import type { AnalyticsContext } from '../plugin';
import { checkAllowed, clampTo, HttpError, splitList } from '../params';

const DAY_MS = 86_400_000;

/** The types asked for by type and by group (an annotation layer per group), or undefined for all. */
export function eventTypes(
  types: string[] | undefined,
  groups: string[] | undefined
): EventType[] | undefined {
  checkAllowed('event type', types, EVENT_TYPES);
  checkAllowed('event group', groups, EVENT_GROUPS);
  if (!types && !groups) return undefined;
  const wanted = new Set<string>([
    ...(types ?? []),
    ...(groups ?? []).flatMap((g) => EVENT_TYPES.filter((t) => EVENT_TYPE_GROUPS[t] === g)),
  ]);
  return EVENT_TYPES.filter((t) => wanted.has(t));
}

/** Events (model loads, Ollama restarts, store drops…) and the status line built from every signal. */
export function registerEventRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    '/analytics/events',
    { schema: { querystring: EventsQuery, response: { 200: EventsResponse, ...ERROR_RESPONSES } } },
    async (req) => {
      const to = clampTo(req.query.to) ?? Date.now();
      const from = req.query.from ?? to - DAY_MS;
      const types = eventTypes(splitList(req.query.type), splitList(req.query.group));
      const models = splitList(req.query.model)?.map((m) => canonicalModelName(m) ?? m);
      return ctx.query('events', { from, to, types, models, limit: req.query.limit });
    }
  );
  typed.get(
    '/analytics/status',
    { schema: { querystring: NoQuery, response: { 200: StatusResponse, ...ERROR_RESPONSES } } },
    async () => {
      const status = ctx.services.status;
      if (!status)
        throw new HttpError(503, 'the status line needs the message store or the metrics (both are off)');
      return status.current();
    }
  );
}
