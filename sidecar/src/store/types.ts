/**
 * The stored message as the analytics API returns it. These shapes are the contract with the Grafana
 * plugin (docs/api.md): nullable fields are null, never absent.
 */
import type {
  ApiFlavor,
  Endpoint,
  ErrorType,
  GenerationOptions,
  PromptInfo,
  RequestStatus,
  ResponseInfo,
  TokenSource,
} from '../tap/record';

export const CATEGORIES = ['summarization', 'translation', 'code', 'chat', 'analysis', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const SORTS = ['time', 'model', 'user', 'input_tokens', 'output_tokens', 'tokens', 'latency'] as const;
export type SortKey = (typeof SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** One row of the Explorer table. */
export interface MessageSummary {
  id: string;
  started_at: number;
  model: string | null;
  endpoint: Endpoint;
  user: string | null;
  session: string | null;
  status: RequestStatus;
  http_status: number;
  category: Category;
  prompt_preview: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  duration_ms: number;
  ttft_ms: number | null;
  cost: number | null;
  error_type: ErrorType | null;
  error_message: string | null;
}

export interface MessageTimings {
  total_duration_ns: number | null;
  load_duration_ns: number | null;
  prompt_eval_count: number | null;
  prompt_eval_duration_ns: number | null;
  eval_count: number | null;
  eval_duration_ns: number | null;
}

export interface StoredChunk {
  t_ms: number;
  bytes: number;
  /** null when the chunk carried no text or the text was not captured. */
  text: string | null;
}

/** The whole message (detail view). */
export interface Message extends MessageSummary {
  method: string;
  path: string;
  flavor: ApiFlavor;
  stream: boolean;
  client_address: string | null;
  user_agent: string | null;
  ended_at: number;
  ttfb_ms: number | null;
  /** null when content was not captured, or the endpoint has no prompt (e.g. /api/tags). */
  prompt: PromptInfo | null;
  response: ResponseInfo | null;
  options: GenerationOptions | null;
  timings: MessageTimings;
  done_reason: string | null;
  token_source: TokenSource;
  queue_ms: number | null;
  tokens_per_second: number | null;
  chunks: StoredChunk[];
  capture_content: boolean;
  redacted: boolean;
}

/** The common filters of every analytics query (see docs/api.md). */
export interface MessageFilters {
  q?: string;
  model?: string[];
  status?: string[];
  user?: string;
  session?: string;
  category?: string[];
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

export interface Segment {
  text: string;
  match: boolean;
}

export interface SearchResult {
  id: string;
  started_at: number;
  model: string | null;
  user: string | null;
  status: RequestStatus;
  prompt_snippet: Segment[];
  response_snippet: Segment[];
}

export interface SummaryFigures {
  messages: number;
  unique_users: number;
  avg_input_tokens: number | null;
  avg_output_tokens: number | null;
  total_cost: number;
  error_rate: number | null;
}

export interface SummaryChange {
  messages: number | null;
  unique_users: number | null;
  avg_input_tokens: number | null;
  avg_output_tokens: number | null;
  total_cost: number | null;
  error_rate: number | null;
}

export interface Summary extends SummaryFigures {
  previous: SummaryFigures;
  change: SummaryChange;
}

export interface TimeseriesPoint {
  t: number;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
}

export interface Bucket {
  key: string | null;
  messages: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  avg_latency_ms: number | null;
  cost: number;
}

export interface HistogramBin {
  /** Upper edge in ms; null = +Inf. */
  le_ms: number | null;
  count: number;
}

export interface ScatterPoint {
  id: string;
  input_tokens: number | null;
  output_tokens: number | null;
  duration_ms: number;
  cost: number | null;
  model: string | null;
}

export const BREAKDOWN_DIMENSIONS = ['model', 'category', 'status', 'user'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export interface Aggregations {
  summary: Summary;
  timeseries: TimeseriesPoint[];
  breakdowns: Record<BreakdownDimension, Bucket[]>;
  latency_histogram: HistogramBin[];
  scatter: ScatterPoint[];
  /**
   * true when some figures were computed from the newest `sample_size` matching messages rather than
   * all of them (a search term, or a filter the rollups do not hold; see docs/api.md).
   */
  sampled: boolean;
  /** How many messages in the window match the filters; null when not known (more than counted). */
  matched: number | null;
  /** How many of the newest matching messages the sampled figures are based on; null when not sampled. */
  sample_size: number | null;
}

export interface NamedCount {
  name: string;
  messages: number;
}

export interface CurrentStats {
  total_requests: number;
  total_tokens: number;
  total_errors: number;
  avg_latency_ms: number | null;
  models_in_use: string[];
  uptime_seconds: number;
}

export interface HistoryPoint {
  timestamp: string;
  requests_per_minute: number;
  tokens_per_second: number;
  avg_latency_ms: number | null;
  error_rate: number | null;
}

export interface DataSummary {
  messages: number;
  oldest: number | null;
  newest: number | null;
  db_bytes: number;
}
