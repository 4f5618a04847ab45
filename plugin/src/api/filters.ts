import type { ExportFormat, SortField, SortOrder } from './types';

/**
 * The filter every analytics call accepts, in the API's own names so a filter reads the same in the
 * URL of the Explorer, in a datasource query and on the wire.
 */
export interface MessageFilters {
  q?: string;
  model?: string[];
  status?: string[];
  category?: string[];
  user?: string;
  session?: string;
  endpoint?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  min_input_tokens?: number;
  max_input_tokens?: number;
  min_output_tokens?: number;
  max_output_tokens?: number;
  min_latency_ms?: number;
  max_latency_ms?: number;
}

export const LIST_FILTER_KEYS = ['model', 'status', 'category'] as const;
export const TEXT_FILTER_KEYS = ['q', 'user', 'session', 'endpoint'] as const;
export const RANGE_FILTER_KEYS = [
  'min_input_tokens',
  'max_input_tokens',
  'min_output_tokens',
  'max_output_tokens',
  'min_latency_ms',
  'max_latency_ms',
] as const;
export type ListFilterKey = (typeof LIST_FILTER_KEYS)[number];
export type TextFilterKey = (typeof TEXT_FILTER_KEYS)[number];
export type RangeFilterKey = (typeof RANGE_FILTER_KEYS)[number];

/** Pairs checked for min ≤ max, with the words used in the error. */
const RANGE_PAIRS: ReadonlyArray<[RangeFilterKey, RangeFilterKey, string]> = [
  ['min_input_tokens', 'max_input_tokens', 'input tokens'],
  ['min_output_tokens', 'max_output_tokens', 'output tokens'],
  ['min_latency_ms', 'max_latency_ms', 'latency'],
];

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

export interface PageRequest {
  sort?: SortField;
  order?: SortOrder;
  limit?: number;
  cursor?: string | null;
}

/** Parses a user-typed bound: blank = no bound; otherwise a whole number ≥ 0 or a clear error. */
export function parseBound(key: RangeFilterKey, raw: string | number | undefined | null): number | undefined {
  if (raw === undefined || raw === null) {
    return undefined;
  }
  const text = String(raw).trim();
  if (text === '') {
    return undefined;
  }
  if (!/^\d+$/.test(text)) {
    throw new FilterError(`${key} must be a whole number ≥ 0, got "${text}"`);
  }
  return Number(text);
}

/** Splits "a, b,,c" into ["a","b","c"]: how multi-value text (and csv-formatted variables) arrive. */
export function splitList(raw: string | string[] | undefined | null): string[] {
  if (raw === undefined || raw === null) {
    return [];
  }
  const parts = Array.isArray(raw) ? raw : raw.split(',');
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Checks the filter and turns it into query parameters (lists as repeated keys, numbers as integers). */
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
      if (!Number.isInteger(value) || value < 0) {
        throw new FilterError(`${key} must be a whole number ≥ 0, got ${value}`);
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
    if (!Number.isInteger(page.limit) || page.limit < 10 || page.limit > 100) {
      throw new FilterError(`limit must be a whole number from 10 to 100, got ${page.limit}`);
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
