import {
  LIST_FILTER_KEYS,
  PAGE_LIMIT,
  RANGE_FILTER_KEYS,
  RANGE_FILTERS,
  RANGE_PAIRS,
  TEXT_FILTER_KEYS,
  type ExportFormat,
  type MessageFilters,
  type RangeFilterKey,
  type SortKey,
  type SortOrder,
} from '@ollama-lens/contracts';

/*
 * The filter every analytics call accepts is the contract's (`MessageFilters`, in the API's own names, so
 * a filter reads the same in the URL of the Explorer, in a datasource query and on the wire). This module
 * checks one and turns it into query parameters.
 */

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

export interface PageRequest {
  sort?: SortKey;
  order?: SortOrder;
  limit?: number;
  cursor?: string | null;
}

/** What a bound may be: token counts are whole numbers, latency may have a fraction (RANGE_FILTERS). */
function boundRule(key: RangeFilterKey): string {
  return RANGE_FILTERS[key].whole ? 'a whole number ≥ 0' : 'a number ≥ 0';
}

/**
 * The contract's rule for one bound: an error message (naming the bound `name`, e.g. a query field),
 * or undefined when `value` is allowed.
 */
export function checkBound(key: RangeFilterKey, value: number, name: string = key): string | undefined {
  const { whole, max } = RANGE_FILTERS[key];
  if (!Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value))) {
    return `${name} must be ${boundRule(key)}, got ${value}`;
  }
  if (value > max) {
    return `${name} must be at most ${max}, got ${value}`;
  }
  return undefined;
}

/**
 * Parses a user-typed bound: blank = no bound; otherwise a number the contract allows, or a clear error
 * naming the bound `name` (e.g. the query field it was typed into).
 */
export function parseBound(
  key: RangeFilterKey,
  raw: string | number | undefined | null,
  name: string = key
): number | undefined {
  if (raw === undefined || raw === null) {
    return undefined;
  }
  const text = String(raw).trim();
  if (text === '') {
    return undefined;
  }
  const pattern = RANGE_FILTERS[key].whole ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (!pattern.test(text)) {
    throw new FilterError(`${name} must be ${boundRule(key)}, got "${text}"`);
  }
  const value = Number(text);
  const problem = checkBound(key, value, name);
  if (problem) {
    throw new FilterError(problem);
  }
  return value;
}

/** Splits "a, b,,c" into ["a","b","c"]: how multi-value text (and csv-formatted variables) arrive. */
export function splitList(raw: string | string[] | undefined | null): string[] {
  if (raw === undefined || raw === null) {
    return [];
  }
  const parts = Array.isArray(raw) ? raw : raw.split(',');
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Checks the filter and turns it into query parameters (lists as repeated keys). */
export function filtersToParams(filters: MessageFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of TEXT_FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) {
      params.set(key, value);
    }
  }
  for (const key of LIST_FILTER_KEYS) {
    for (const value of splitList(filters[key])) {
      params.append(key, value);
    }
  }
  for (const key of RANGE_FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined) {
      const problem = checkBound(key, value);
      if (problem) {
        throw new FilterError(problem);
      }
      params.set(key, String(value));
    }
  }
  for (const [minKey, maxKey, what] of RANGE_PAIRS) {
    const min = filters[minKey];
    const max = filters[maxKey];
    if (min !== undefined && max !== undefined && min > max) {
      throw new FilterError(`the ${what} range is empty: minimum ${min} is above maximum ${max}`);
    }
  }
  if (filters.from !== undefined || filters.to !== undefined) {
    const from = filters.from;
    const to = filters.to;
    if ((from !== undefined && !Number.isFinite(from)) || (to !== undefined && !Number.isFinite(to))) {
      throw new FilterError('the time range is not valid');
    }
    if (from !== undefined && to !== undefined && from >= to) {
      throw new FilterError('the time range is empty: its start is not before its end');
    }
    if (from !== undefined) {
      params.set('from', String(Math.floor(from)));
    }
    if (to !== undefined) {
      params.set('to', String(Math.ceil(to)));
    }
  }
  return params;
}

export function pageToParams(page: PageRequest, params: URLSearchParams = new URLSearchParams()): URLSearchParams {
  if (page.sort) {
    params.set('sort', page.sort);
  }
  if (page.order) {
    params.set('order', page.order);
  }
  if (page.limit !== undefined) {
    if (!Number.isInteger(page.limit) || page.limit < PAGE_LIMIT.min || page.limit > PAGE_LIMIT.max) {
      throw new FilterError(
        `limit must be a whole number from ${PAGE_LIMIT.min} to ${PAGE_LIMIT.max}, got ${page.limit}`
      );
    }
    params.set('limit', String(page.limit));
  }
  if (page.cursor) {
    params.set('cursor', page.cursor);
  }
  return params;
}

export function exportParams(filters: MessageFilters, format: ExportFormat): URLSearchParams {
  const params = filtersToParams(filters);
  params.set('format', format);
  return params;
}

/** True when no filter beyond the time range is set (for "clear filters" and empty-state wording). */
export function hasContentFilters(filters: MessageFilters): boolean {
  return (
    TEXT_FILTER_KEYS.some((k) => Boolean(filters[k]?.trim())) ||
    LIST_FILTER_KEYS.some((k) => splitList(filters[k]).length > 0) ||
    RANGE_FILTER_KEYS.some((k) => filters[k] !== undefined)
  );
}
