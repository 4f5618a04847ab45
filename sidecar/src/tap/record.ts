/**
 * The measurement record: one per request through the proxy, the single type every sink receives
 * (metrics, store, log, OpenTelemetry). It is a contract: docs/api.md describes the stored form,
 * docs/metrics.md what is derived from it. A record is what the proxy observed of the exchange
 * (ObservedExchange) plus the values derived from it once, in tap/derive.ts (DerivedValues): the sinks
 * read those and never compute them again.
 */

// The vocabularies (endpoint, status, error type, flavor, token source) and the content shapes are
// part of the contract with the plugin: declared once in @ollama-lens/contracts, re-exported here for
// the sidecar's modules.
export {
  API_FLAVORS,
  ENDPOINTS,
  ERROR_TYPES,
  REQUEST_STATUSES,
  TOKEN_SOURCES,
  type ApiFlavor,
  type Endpoint,
  type ErrorType,
  type GenerationOptions,
  type PromptInfo,
  type PromptMessage,
  type RequestStatus,
  type ResponseInfo,
  type TokenSource,
  type ToolCall,
} from '@ollama-lens/contracts';
import type {
  Origin,
  ApiFlavor,
  Endpoint,
  ErrorType,
  GenerationOptions,
  PromptInfo,
  RequestStatus,
  ResponseInfo,
  TokenSource,
} from '@ollama-lens/contracts';

/** Ollama's own counters and durations, in the units Ollama reports (nanoseconds). */
export interface OllamaTimings {
  total_duration_ns?: number;
  load_duration_ns?: number;
  prompt_eval_count?: number;
  prompt_eval_duration_ns?: number;
  eval_count?: number;
  eval_duration_ns?: number;
}

/** One chunk of a streamed answer as it arrived at the proxy (for the stream replay). */
export interface ChunkTiming {
  /** Milliseconds since the request started. */
  t_ms: number;
  /** Bytes of the chunk (network chunk, not token). */
  bytes: number;
  /** Text the chunk added to the answer, if any. */
  text?: string;
}

/** What the proxy saw of one request/response exchange, before anything is derived from it. */
export interface ObservedExchange {
  id: string;
  method: string;
  /** The path as requested, without the query string. */
  path: string;
  endpoint: Endpoint;
  flavor: ApiFlavor;
  /** The model name as the client sent it (or, when the request named none, as the answer did). */
  requested_model?: string;
  user?: string;
  session?: string;
  client_address?: string;
  user_agent?: string;
  /** Set when the product itself sent the request (the status line's phrasing, the playground). */
  origin?: Origin;
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
 * Values derived from one exchange, each computed once by a small pure function (tap/derive.ts). They
 * are optional because each may be unknown (no timings, no token counts, no price, no model).
 */
export interface DerivedValues {
  /**
   * The canonical model name (metrics/labels.ts canonicalModelName: `tiny` → `tiny:latest`), the
   * one name the metric labels, the store and the Explorer use.
   */
  model?: string;
  /**
   * Estimated wait inside Ollama (mostly for a parallel slot), milliseconds: Ollama's
   * total_duration − load − prompt_eval − eval, never negative (docs/metrics.md, "Queue estimates").
   */
  queue_ms?: number;
  /**
   * The generation span, first output token to last, milliseconds: measured at the proxy for streams
   * (wall time − time to first token), Ollama's eval_duration for answers that arrive whole.
   */
  generation_ms?: number;
  /** Output tokens per second: eval_count / eval_duration, else output tokens over the generation span. */
  tokens_per_second?: number;
  /** Shadow cost in USD at the configured prices (metrics/cost.ts): input_cost + output_cost. */
  cost?: number;
  /** The prompt tokens' part of the cost (input price × input tokens). */
  input_cost?: number;
  /** The answer tokens' part of the cost (output price × output tokens). */
  output_cost?: number;
}

export interface MeasurementRecord extends ObservedExchange, DerivedValues {}

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
  /** The canonical model name (DerivedValues.model). */
  model?: string;
  started_at: number;
}
