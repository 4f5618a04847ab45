/**
 * The sidecar's analytics API as the plugin consumes it (the contract in docs/api.md). The plugin never
 * imports sidecar code: these types are the boundary, checked against the real sidecar by the page tests.
 */

export const REQUEST_STATUSES = ['success', 'error', 'cancelled', 'timeout'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** The store always lists these six. */
export const CATEGORIES = ['summarization', 'translation', 'code', 'chat', 'analysis', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const SORT_FIELDS = ['time', 'model', 'user', 'input_tokens', 'output_tokens', 'tokens', 'latency'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortOrder = 'asc' | 'desc';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface MessageSummary {
  id: string;
  /** Epoch milliseconds. */
  started_at: number;
  model: string | null;
  endpoint: string;
  user: string | null;
  session: string | null;
  status: RequestStatus;
  http_status: number;
  category: string | null;
  /** Plain text, at most 200 characters. */
  prompt_preview: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  duration_ms: number;
  ttft_ms: number | null;
  cost: number | null;
  error_type: string | null;
  error_message: string | null;
}

export interface ToolCall {
  id?: string;
  name: string;
  /** JSON text, as sent by the model. */
  arguments: string;
}

export interface PromptMessage {
  role: string;
  content: string;
  images?: number;
  thinking?: string;
  tool_calls?: ToolCall[];
  tool_name?: string;
}

export interface PromptInfo {
  prompt?: string;
  system?: string;
  suffix?: string;
  images?: number;
  messages?: PromptMessage[];
  inputs?: number;
  tools?: string[];
  format?: string;
  think?: boolean | string;
  raw?: boolean;
}

export interface ResponseInfo {
  content: string;
  thinking?: string;
  tool_calls?: ToolCall[];
  embeddings?: number;
}

export interface GenerationOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  num_predict?: number;
  num_ctx?: number;
  seed?: number;
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stop?: string[];
  keep_alive?: string | number;
  extra?: Record<string, unknown>;
}

export interface MessageTimings {
  total_duration_ns: number | null;
  load_duration_ns: number | null;
  prompt_eval_count: number | null;
  prompt_eval_duration_ns: number | null;
  eval_count: number | null;
  eval_duration_ns: number | null;
}

export interface ChunkTiming {
  /** Milliseconds since the request started. */
  t_ms: number;
  bytes: number;
  text?: string | null;
}

export interface Message extends MessageSummary {
  method: string;
  path: string;
  flavor: string;
  stream: boolean;
  client_address: string | null;
  user_agent: string | null;
  ended_at: number;
  ttfb_ms: number | null;
  prompt: PromptInfo | null;
  response: ResponseInfo | null;
  options: GenerationOptions | null;
  timings: MessageTimings | null;
  done_reason: string | null;
  token_source: string;
  queue_ms: number | null;
  tokens_per_second: number | null;
  chunks: ChunkTiming[] | null;
  capture_content: boolean;
  redacted: boolean;
}

export interface MessagesPage {
  messages: MessageSummary[];
  next_cursor: string | null;
}

export interface MessageDetailResponse {
  message: Message;
  session_messages: MessageSummary[];
}

export interface SummaryFields {
  messages: number;
  unique_users: number;
  avg_input_tokens: number | null;
  avg_output_tokens: number | null;
  total_cost: number | null;
  error_rate: number | null;
}

export type SummaryChange = { [K in keyof SummaryFields]: number | null };

export interface Summary extends SummaryFields {
  previous: SummaryFields;
  change: SummaryChange;
}

export interface TimeseriesPoint {
  /** Bucket start, epoch milliseconds. */
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
  key: string;
  messages: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  avg_latency_ms: number | null;
  cost: number | null;
}

export const BREAKDOWN_DIMENSIONS = ['model', 'category', 'status', 'user'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export interface HistogramBin {
  /** Upper edge in ms; null is +Inf. */
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

export interface Aggregations {
  summary: Summary;
  timeseries: TimeseriesPoint[];
  breakdowns: Record<BreakdownDimension, Bucket[]>;
  latency_histogram: HistogramBin[];
  scatter: ScatterPoint[];
  /** Some figures are based on the newest `sample_size` matching messages only (docs/api.md). */
  sampled: boolean;
  /** Messages in the window that match the filters; null when not counted. */
  matched: number | null;
  sample_size: number | null;
}

export interface NameCount {
  name: string;
  messages: number;
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

export interface DataSummary {
  messages: number;
  oldest: number | null;
  newest: number | null;
  db_bytes: number;
}

export interface Health {
  status: string;
}
