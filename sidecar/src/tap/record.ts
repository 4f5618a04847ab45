/**
 * The measurement record: one per request through the proxy, the single type every sink receives
 * (metrics, store, log). It is a contract: docs/api.md describes the stored form, docs/metrics.md what
 * is derived from it.
 */

/** Endpoints with their own parsing and their own metric label value; everything else is `other`. */
export const ENDPOINTS = [
  '/api/generate',
  '/api/chat',
  '/api/embed',
  '/api/embeddings',
  '/api/tags',
  '/api/show',
  '/api/ps',
  '/api/pull',
  '/api/push',
  '/api/create',
  '/api/copy',
  '/api/delete',
  '/api/version',
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/models',
  'other',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const REQUEST_STATUSES = ['success', 'error', 'cancelled', 'timeout'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** A fixed, small set so `ollama_errors_total{error_type}` stays bounded. */
export const ERROR_TYPES = [
  'upstream_unreachable',
  'model_not_found',
  'bad_request',
  'upstream_error',
  'timeout',
  'cancelled',
  'stream_error',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** Wire format of the exchange, which decides how the body is parsed. */
export type ApiFlavor = 'ollama' | 'openai' | 'none';

export interface PromptMessage {
  role: string;
  content: string;
  /** Number of images attached to this message (the image bytes are never kept). */
  images?: number;
  thinking?: string;
  tool_calls?: ToolCall[];
  tool_name?: string;
}

export interface ToolCall {
  id?: string;
  name: string;
  /** Arguments as sent: Ollama gives an object, OpenAI a JSON string; kept as JSON text. */
  arguments: string;
}

/** What the client asked for, normalised across native and /v1 formats. */
export interface PromptInfo {
  /** generate / completions: the prompt text. */
  prompt?: string;
  system?: string;
  suffix?: string;
  /** generate: images attached to the request. */
  images?: number;
  /** chat: the conversation as sent. */
  messages?: PromptMessage[];
  /** embed: number of inputs. */
  inputs?: number;
  /** Tool names offered to the model. */
  tools?: string[];
  format?: string;
  think?: boolean | string;
  raw?: boolean;
}

export interface ResponseInfo {
  content: string;
  thinking?: string;
  tool_calls?: ToolCall[];
  /** Number of embedding vectors returned (embed endpoints). */
  embeddings?: number;
}

/** Model options that matter for analysis; unknown keys are kept in `extra`. */
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

/** Ollama's own counters and durations, in the units Ollama reports (nanoseconds). */
export interface OllamaTimings {
  total_duration_ns?: number;
  load_duration_ns?: number;
  prompt_eval_count?: number;
  prompt_eval_duration_ns?: number;
  eval_count?: number;
  eval_duration_ns?: number;
}

/**
 * Where the token counts came from. `ollama` = native counters; `openai_usage` = the /v1 usage object;
 * `none` = the stream carried no usage (e.g. /v1 streaming without stream_options.include_usage), so the
 * counts are absent rather than invented.
 */
export type TokenSource = 'ollama' | 'openai_usage' | 'none';

/** One chunk of a streamed answer as it arrived at the proxy (for the stream replay). */
export interface ChunkTiming {
  /** Milliseconds since the request started. */
  t_ms: number;
  /** Bytes of the chunk (network chunk, not token). */
  bytes: number;
  /** Text the chunk added to the answer, if any. */
  text?: string;
}

export interface MeasurementRecord {
  id: string;
  method: string;
  /** The path as requested, without the query string. */
  path: string;
  endpoint: Endpoint;
  flavor: ApiFlavor;
  model?: string;
  user?: string;
  session?: string;
  client_address?: string;
  user_agent?: string;
  stream: boolean;
  /** Epoch milliseconds. */
  started_at: number;
  /** Milliseconds from start to the first response byte that carried model output. */
  ttft_ms?: number;
  /** Milliseconds from start to the first response byte of any kind. */
  ttfb_ms?: number;
  /** Epoch milliseconds. */
  ended_at: number;
  duration_ms: number;
  status: RequestStatus;
  http_status: number;
  error_type?: ErrorType;
  error_message?: string;
  request_bytes: number;
  response_bytes: number;
  prompt?: PromptInfo;
  response?: ResponseInfo;
  options?: GenerationOptions;
  timings?: OllamaTimings;
  done_reason?: string;
  input_tokens?: number;
  output_tokens?: number;
  token_source: TokenSource;
  chunks?: ChunkTiming[];
  /** False when the client asked (by header) not to store prompt and response text. */
  capture_content: boolean;
  /** True when a body exceeded the capture limit, so prompt or response text is incomplete or absent. */
  capture_truncated?: boolean;
  /** Time the proxy itself spent on this request (its own overhead), in milliseconds. */
  proxy_overhead_ms?: number;
  /** The request's span in W3C Trace Context terms; present only when OpenTelemetry export is on. */
  trace?: RequestTrace;
}

/**
 * Ids of the span that stands for one request (lowercase hex, as in `traceparent`). Decided when the
 * request starts, so the upstream request can carry them; the span is built later (sidecar/src/otel).
 */
export interface RequestTrace {
  trace_id: string;
  span_id: string;
  /** The caller's span, from an incoming `traceparent`. */
  parent_span_id?: string;
  /** The caller's sampling decision (true for a trace the sidecar starts). */
  sampled: boolean;
  /** The incoming `tracestate`, passed on unchanged. */
  trace_state?: string;
}

/**
 * A consumer of measurement records. The tap calls `onRequestStart` when a request begins and `record`
 * when it ends. A sink must never throw into the request path; the tap isolates it anyway.
 */
export interface RecordSink {
  readonly name: string;
  onRequestStart?(info: RequestStartInfo): void;
  record(record: MeasurementRecord): void;
  close?(): Promise<void>;
}

export interface RequestStartInfo {
  id: string;
  endpoint: Endpoint;
  model?: string;
  started_at: number;
}
