import type { DataQuery, DataSourceJsonData } from '@grafana/schema';
import type { BreakdownDimension, SortField, SortOrder } from '../api/types';

export { MESSAGES_DATASOURCE_TYPE as DATASOURCE_TYPE } from '../constants';
/** The route in plugin.json through which Grafana's server reaches the sidecar. */
export const PROXY_ROUTE = 'sidecar';

export const QUERY_TYPES = [
  'messages',
  'aggregations',
  'breakdown',
  'scatter',
  'summary',
  'latency_histogram',
] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export const QUERY_TYPE_LABELS: Record<QueryType, string> = {
  messages: 'Messages (table)',
  aggregations: 'Aggregations (time series)',
  breakdown: 'Breakdown',
  scatter: 'Token scatter',
  summary: 'Summary stats',
  latency_histogram: 'Latency histogram',
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
 * A query of the messages data source. List filters are text ("a,b" or "$model") so dashboards can use
 * multi-value template variables; numbers stay numbers.
 */
export interface MessagesQuery extends DataQuery {
  queryType?: QueryType;
  /** Full-text search over prompt and response. */
  search?: string;
  models?: string;
  statuses?: string;
  categories?: string;
  user?: string;
  session?: string;
  endpoint?: string;
  minInputTokens?: number;
  maxInputTokens?: number;
  minOutputTokens?: number;
  maxOutputTokens?: number;
  minLatencyMs?: number;
  maxLatencyMs?: number;
  /** messages */
  sort?: SortField;
  order?: SortOrder;
  limit?: number;
  /** breakdown */
  dimension?: BreakdownDimension;
  /** aggregations: which series to return (all when empty). */
  series?: SeriesName[];
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
}

/** Variable queries: what metricFindQuery lists. */
export const VARIABLE_KINDS = ['models', 'users', 'categories'] as const;
export type VariableKind = (typeof VARIABLE_KINDS)[number];

export interface MessagesVariableQuery {
  kind: VariableKind;
}
