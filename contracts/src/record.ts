/**
 * The measurement record's vocabularies and content shapes: the values a stored message, a metric label
 * and the Explorer's filters share. The sidecar's record (sidecar/src/tap/record.ts) is built from
 * these; the plugin reads the same values back through the analytics API.
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

/**
 * Endpoints whose answers are model output (the ones with prompts, tokens and time to first token). The
 * sidecar measures their phases; the dashboards' latency and speed panels select them (a pull takes
 * minutes, /api/tags microseconds).
 */
export const INFERENCE_ENDPOINTS = [
  '/api/generate',
  '/api/chat',
  '/api/embed',
  '/api/embeddings',
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
] as const satisfies readonly Endpoint[];
export type InferenceEndpoint = (typeof INFERENCE_ENDPOINTS)[number];

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

/** What the store's classifier files a message under; every stored message has exactly one. */
export const CATEGORIES = ['summarization', 'translation', 'code', 'chat', 'analysis', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Wire format of the exchange, which decides how the body is parsed. */
export const API_FLAVORS = ['ollama', 'openai', 'none'] as const;
export type ApiFlavor = (typeof API_FLAVORS)[number];

/**
 * Where the token counts came from. `ollama` = native counters; `openai_usage` = the /v1 usage object;
 * `none` = the stream carried no usage (e.g. /v1 streaming without stream_options.include_usage), so the
 * counts are absent rather than invented.
 */
export const TOKEN_SOURCES = ['ollama', 'openai_usage', 'none'] as const;
export type TokenSource = (typeof TOKEN_SOURCES)[number];

/*
 * The content shapes below are recorded as the client sent them and returned as recorded: the API
 * schema leaves them open (see schemas.ts), so these declarations are their one definition.
 */

export interface ToolCall {
  id?: string;
  name: string;
  /** Arguments as sent: Ollama gives an object, OpenAI a JSON string; kept as JSON text. */
  arguments: string;
}

export interface PromptMessage {
  role: string;
  content: string;
  /** Number of images attached to this message (the image bytes are never kept). */
  images?: number;
  thinking?: string;
  tool_calls?: ToolCall[];
  tool_name?: string;
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
