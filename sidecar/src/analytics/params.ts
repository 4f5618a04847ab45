import { REQUEST_STATUSES } from '../tap/record';
import { AGGREGATION_PARTS, type AggregationPart } from '../store/aggregate';
import { CATEGORIES, type MessageFilters, type SortKey, type SortOrder } from '../store/types';
import { BOUNDS } from './schemas';

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

/**
 * `to` at most a little past now: the schema bounds it by a fixed far date, this by the clock, so a
 * range ending "now+1h" still works while one ending in 2099 costs no more than one ending today.
 */
export function clampTo(to: number | undefined, now = Date.now()): number | undefined {
  return to === undefined ? undefined : Math.min(to, now + BOUNDS.futureSlackMs);
}

/** Plain decimal notation: Ajv would also coerce "0x10", "0b1", " 1 " and "Infinity". */
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/**
 * For the analytics preValidation hook (before Ajv coerces the querystring): a 400 naming the
 * parameter for a numeric parameter that is not a plain, finite decimal number. Needed because Ajv,
 * with its default strictNumbers, coerces "Infinity" and "1e400" to Infinity and then skips
 * `maximum` for a non-finite number, so the schema alone lets Infinity through (a 500 from SQLite).
 * `properties` is the route's querystring schema's `properties`.
 */
export function checkNumbers(query: Record<string, unknown>, properties: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(query)) {
    if (!Object.prototype.hasOwnProperty.call(properties, key)) continue;
    const type = (properties[key] as { type?: unknown } | undefined)?.type;
    if (type !== 'integer' && type !== 'number') continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string' && !(DECIMAL.test(v) && Number.isFinite(Number(v))))
        throw new HttpError(
          400,
          `querystring/${key} must be a finite decimal number, got ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
        );
    }
  }
}

export function parseFilters(q: FilterQuery): MessageFilters {
  const status = splitList(q.status);
  const category = splitList(q.category);
  checkAllowed('status', status, REQUEST_STATUSES);
  checkAllowed('category', category, CATEGORIES);
  const f: MessageFilters = {
    // SQLite reads an FTS5 query as a C string: a NUL would end it inside a quoted term ("unterminated
    // string"). NUL is never part of a word, so a space there searches for the same words.
    q: q.q?.replace(/\0/g, ' '),
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
  for (const k of Object.keys(f) as (keyof MessageFilters)[]) {
    const v = f[k];
    if (v === undefined) delete f[k];
    // Ajv lets a coerced Infinity past `maximum` (see checkNumbers); never hand one to SQLite.
    else if (typeof v === 'number' && !Number.isFinite(v))
      throw new HttpError(400, `querystring/${k} must be a finite number`);
  }
  if (f.to !== undefined) f.to = clampTo(f.to);
  return f;
}

export function parseInclude(values: readonly string[] | undefined): AggregationPart[] | undefined {
  const parts = splitList(values);
  checkAllowed('include part', parts, AGGREGATION_PARTS);
  return parts as AggregationPart[] | undefined;
}
