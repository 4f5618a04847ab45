import {
  BOUNDS,
  CATEGORIES,
  LIST_FILTER_KEYS,
  ORIGINS,
  RANGE_FILTER_KEYS,
  REQUEST_STATUSES,
  TEXT_FILTER_KEYS,
  TIME_FILTER_KEYS,
  type MessageFilters,
} from '@ollama-lens/contracts';
import { AGGREGATION_PARTS, type AggregationPart } from '../store/aggregate';

/** A client error with its HTTP status, turned into `{"error": message}` by the plugin's error handler. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string
  ) {
    super(message);
  }
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

export function checkAllowed(name: string, values: string[] | undefined, allowed: readonly string[]): void {
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

/**
 * The filter of a validated querystring (which may carry the route's other parameters too), in the
 * form the store takes: lists split at commas and deduplicated, statuses and categories checked, absent
 * keys left out, `to` clamped. Walks the contract's key lists, so a filter added there arrives here.
 */
export function parseFilters(q: MessageFilters): MessageFilters {
  const f: MessageFilters = {};
  for (const k of TEXT_FILTER_KEYS) {
    const v = q[k];
    if (v !== undefined) f[k] = v;
  }
  // SQLite reads an FTS5 query as a C string: a NUL would end it inside a quoted term ("unterminated
  // string"). NUL is never part of a word, so a space there searches for the same words.
  if (f.q !== undefined) f.q = f.q.replace(/\0/g, ' ');
  for (const k of LIST_FILTER_KEYS) {
    const v = splitList(q[k]);
    if (v) f[k] = v;
  }
  checkAllowed('status', f.status, REQUEST_STATUSES);
  checkAllowed('category', f.category, CATEGORIES);
  checkAllowed('origin', f.origin, ORIGINS);
  for (const k of [...TIME_FILTER_KEYS, ...RANGE_FILTER_KEYS]) {
    const v = q[k];
    if (v === undefined) continue;
    // Ajv lets a coerced Infinity past `maximum` (see checkNumbers); never hand one to SQLite.
    if (!Number.isFinite(v)) throw new HttpError(400, `querystring/${k} must be a finite number`);
    f[k] = v;
  }
  if (f.to !== undefined) f.to = clampTo(f.to);
  return f;
}

export function parseInclude(values: readonly string[] | undefined): AggregationPart[] | undefined {
  const parts = splitList(values);
  checkAllowed('include part', parts, AGGREGATION_PARTS);
  return parts as AggregationPart[] | undefined;
}
