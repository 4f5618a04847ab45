import { REQUEST_STATUSES } from '../tap/record';
import { AGGREGATION_PARTS, type AggregationPart } from '../store/aggregate';
import { CATEGORIES, type MessageFilters, type SortKey, type SortOrder } from '../store/types';

/** A client error with its HTTP status, turned into `{"error": message}` by the plugin's error handler. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string
  ) {
    super(message);
  }
}

/** The querystring after fastify's validation and coercion: exactly the store's filters. */
export type FilterQuery = MessageFilters;

export interface SortQuery {
  sort: SortKey;
  order: SortOrder;
}

/** Repeated and comma-separated values as one list, blanks dropped; undefined when empty. */
export function splitList(values: readonly string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const out = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  return out.length > 0 ? [...new Set(out)] : undefined;
}

function checkAllowed(name: string, values: string[] | undefined, allowed: readonly string[]): void {
  const bad = values?.filter((v) => !allowed.includes(v));
  if (bad && bad.length > 0)
    throw new HttpError(
      400,
      `unknown ${name} ${bad.map((b) => JSON.stringify(b)).join(', ')}; expected one of ${allowed.join(', ')}`
    );
}

export function parseFilters(q: FilterQuery): MessageFilters {
  const status = splitList(q.status);
  const category = splitList(q.category);
  checkAllowed('status', status, REQUEST_STATUSES);
  checkAllowed('category', category, CATEGORIES);
  const f: MessageFilters = {
    q: q.q,
    model: splitList(q.model),
    status,
    user: q.user,
    session: q.session,
    category,
    endpoint: q.endpoint,
    from: q.from,
    to: q.to,
    min_input_tokens: q.min_input_tokens,
    max_input_tokens: q.max_input_tokens,
    min_output_tokens: q.min_output_tokens,
    max_output_tokens: q.max_output_tokens,
    min_latency_ms: q.min_latency_ms,
    max_latency_ms: q.max_latency_ms,
  };
  for (const k of Object.keys(f) as (keyof MessageFilters)[]) if (f[k] === undefined) delete f[k];
  return f;
}

export function parseInclude(values: readonly string[] | undefined): AggregationPart[] | undefined {
  const parts = splitList(values);
  checkAllowed('include part', parts, AGGREGATION_PARTS);
  return parts as AggregationPart[] | undefined;
}
