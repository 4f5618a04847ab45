/**
 * The analytics API's request vocabulary: the filter set every query accepts, sorting, paging and the
 * bounds on every number a client can send. Plain constants (no schema builder), so the plugin's bundle
 * carries them without TypeBox; schemas.ts builds the querystring schemas from the same values and
 * fails to compile when a filter key is added here and not there (or the reverse).
 */

/**
 * Bounds on every number a client can send, so no parameter can make a query allocate without limit
 * (a `to` of 1e23 once made the bucket loop grow an array until V8 aborted the process). docs/api.md
 * lists these bounds.
 */
export const BOUNDS = {
  /** Epoch ms of 2100-01-01T00:00:00Z: far past any stored message, far below 2^53. */
  epochMsMax: 4_102_444_800_000,
  /** `to` beyond now + this is treated as now + this (a Grafana range may end at "now+1h"). */
  futureSlackMs: 86_400_000,
  /** Bucket width: at most 366 days. */
  intervalSMax: 31_622_400,
  tokensMax: 1_000_000_000,
  /** 30 days in ms. */
  latencyMsMax: 2_592_000_000,
} as const;

/** Free text: a search term (`q`, over prompt and response) or one exact value. */
export const TEXT_FILTER_KEYS = ['q', 'user', 'session', 'endpoint'] as const;
/** Lists: repeatable (`model=a&model=b`) and comma-separable (`model=a,b`); any listed value matches. */
export const LIST_FILTER_KEYS = ['model', 'status', 'category', 'host', 'origin'] as const;
/** The time window in epoch ms: `from` inclusive, `to` exclusive. */
export const TIME_FILTER_KEYS = ['from', 'to'] as const;

/**
 * Range bounds, inclusive. Token counts are whole numbers; latency is in milliseconds and may have a
 * fraction (the sidecar measures sub-millisecond durations, and a histogram bin edge may be fractional).
 */
export const RANGE_FILTERS = {
  min_input_tokens: { whole: true, max: BOUNDS.tokensMax },
  max_input_tokens: { whole: true, max: BOUNDS.tokensMax },
  min_output_tokens: { whole: true, max: BOUNDS.tokensMax },
  max_output_tokens: { whole: true, max: BOUNDS.tokensMax },
  min_latency_ms: { whole: false, max: BOUNDS.latencyMsMax },
  max_latency_ms: { whole: false, max: BOUNDS.latencyMsMax },
} as const;

export type TextFilterKey = (typeof TEXT_FILTER_KEYS)[number];
export type ListFilterKey = (typeof LIST_FILTER_KEYS)[number];
export type TimeFilterKey = (typeof TIME_FILTER_KEYS)[number];
export type RangeFilterKey = keyof typeof RANGE_FILTERS;
export const RANGE_FILTER_KEYS = Object.keys(RANGE_FILTERS) as RangeFilterKey[];
/** Every filter key: the querystring schema (schemas.ts) has exactly these properties. */
export type FilterKey = TextFilterKey | ListFilterKey | TimeFilterKey | RangeFilterKey;

/** The (min, max) pairs of the range filters, with the words an error message uses. */
export const RANGE_PAIRS: ReadonlyArray<readonly [RangeFilterKey, RangeFilterKey, string]> = [
  ['min_input_tokens', 'max_input_tokens', 'input tokens'],
  ['min_output_tokens', 'max_output_tokens', 'output tokens'],
  ['min_latency_ms', 'max_latency_ms', 'latency'],
];

export const SORTS = ['time', 'model', 'user', 'input_tokens', 'output_tokens', 'tokens', 'latency'] as const;
export type SortKey = (typeof SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const EXPORT_FORMATS = ['csv', 'ndjson', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The dimensions of the aggregations' breakdowns. */
export const BREAKDOWN_DIMENSIONS = ['model', 'category', 'status', 'user'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/** Page size of GET /analytics/messages. */
export const PAGE_LIMIT = { min: 10, max: 100, default: 25 } as const;
/** Result count of GET /analytics/search. */
export const SEARCH_LIMIT = { min: 1, max: 100, default: 20 } as const;
