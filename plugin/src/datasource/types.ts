import type { DataQuery, DataSourceJsonData } from '@grafana/schema';
import type {
  BreakdownDimension,
  FilterKey,
  RangeFilterKey,
  SortKey,
  SortOrder,
  TimeFilterKey,
} from '@ollama-lens/contracts';

export { MESSAGES_DATASOURCE_TYPE as DATASOURCE_TYPE, PROXY_ROUTE } from '@ollama-lens/contracts';

export const QUERY_TYPES = [
  'messages',
  'aggregations',
  'breakdown',
  'scatter',
  'summary',
  'latency_histogram',
  'events',
  'status',
] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export const QUERY_TYPE_LABELS: Record<QueryType, string> = {
  messages: 'Messages (table)',
  aggregations: 'Aggregations (time series)',
  breakdown: 'Breakdown',
  scatter: 'Token scatter',
  summary: 'Summary stats',
  latency_histogram: 'Latency histogram',
  events: 'Events (annotations)',
  status: 'Status line',
};

export const SERIES = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
] as const;
export type SeriesName = (typeof SERIES)[number];

/**
 * The query field of each API filter. The filter set is the contract's; only the names differ, because
 * saved dashboards hold these field names. The time range is the dashboard's, never part of a query.
 */
export const QUERY_FILTER_FIELDS = {
  q: 'search',
  model: 'models',
  status: 'statuses',
  category: 'categories',
  host: 'hosts',
  origin: 'origins',
  user: 'user',
  session: 'session',
  endpoint: 'endpoint',
  min_input_tokens: 'minInputTokens',
  max_input_tokens: 'maxInputTokens',
  min_output_tokens: 'minOutputTokens',
  max_output_tokens: 'maxOutputTokens',
  min_latency_ms: 'minLatencyMs',
  max_latency_ms: 'maxLatencyMs',
} as const satisfies Record<Exclude<FilterKey, TimeFilterKey>, string>;

export type QueryFilterKey = keyof typeof QUERY_FILTER_FIELDS;

/**
 * A query's filter fields. Text and lists are text ("a,b" or "$model") so dashboards can use
 * multi-value template variables; range bounds stay numbers.
 */
export type QueryFilters = {
  [K in QueryFilterKey as (typeof QUERY_FILTER_FIELDS)[K]]?: K extends RangeFilterKey ? number : string;
};

/** A query of the messages data source. */
export interface MessagesQuery extends DataQuery, QueryFilters {
  queryType?: QueryType;
  /** messages */
  sort?: SortKey;
  order?: SortOrder;
  limit?: number;
  /** breakdown */
  dimension?: BreakdownDimension;
  /** aggregations: which series to return (all when empty). */
  series?: SeriesName[];
  /** events: the annotation layers' groups (models, ollama, sidecar), "a,b" or a variable; all when empty. */
  eventGroups?: string;
  /** events: single event types, "model_loaded,ollama_up"; an event matches a group or a type. */
  eventTypes?: string;
}

export const DEFAULT_QUERY: Partial<MessagesQuery> = {
  queryType: 'messages',
  sort: 'time',
  order: 'desc',
  limit: 25,
};

export interface MessagesDataSourceOptions extends DataSourceJsonData {
  /** Base URL of the sidecar as Grafana's server reaches it, e.g. http://ollama-lens:11435. */
  url?: string;
}

export interface MessagesSecureJsonData {
  /** The sidecar's OLLAMA_LENS_ADMIN_TOKEN. */
  token?: string;
  /** The sidecar's OLLAMA_LENS_ACTIONS_TOKEN, sent only on the Admin-only `sidecar-actions` route. */
  actionsToken?: string;
}

/** Variable queries: what metricFindQuery lists. */
export const VARIABLE_KINDS = ['models', 'users', 'categories'] as const;
export type VariableKind = (typeof VARIABLE_KINDS)[number];

export interface MessagesVariableQuery {
  kind: VariableKind;
}
