/**
 * JSON schemas of the analytics API: querystrings (validated by fastify's Ajv) and responses
 * (serialized by fast-json-stringify, which also guarantees no field leaks beyond the contract).
 * docs/api.md describes the same shapes for people.
 */
import { ENDPOINTS, REQUEST_STATUSES } from '../tap/record';
import { HISTOGRAM_EDGES_MS } from '../store/aggregate';
import { CATEGORIES, SORTS } from '../store/types';

type Schema = Record<string, unknown>;

const nullable = (type: string | string[]): Schema => ({
  type: [...(Array.isArray(type) ? type : [type]), 'null'],
});
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;

const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
  ...extra,
});

/** A repeatable, comma-separable query parameter (`model=a&model=b` or `model=a,b`). */
const list = { type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 100 } as const;

/**
 * Bounds on every number a client can send, so no parameter can make a query allocate without limit
 * (a `to` of 1e23 once made the bucket loop grow an array until V8 aborted the process). Ajv coerces
 * "Infinity" to Infinity and then skips `maximum`, so params.ts `checkNumbers` rejects non-finite
 * and non-decimal numbers before validation. docs/api.md lists these bounds.
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

/** An epoch-milliseconds instant within [0, BOUNDS.epochMsMax]. */
export const epochMs = (description: string): Schema => ({
  type: 'integer',
  minimum: 0,
  maximum: BOUNDS.epochMsMax,
  description,
});
const tokenCount: Schema = { type: 'integer', minimum: 0, maximum: BOUNDS.tokensMax };
const latencyMs: Schema = { type: 'number', minimum: 0, maximum: BOUNDS.latencyMsMax };

export const FILTER_PROPERTIES: Record<string, Schema> = {
  q: { type: 'string', maxLength: 1000, description: 'full-text search over prompt and response' },
  model: list,
  status: list,
  user: { type: 'string', maxLength: 500 },
  session: { type: 'string', maxLength: 500 },
  category: list,
  endpoint: { type: 'string', maxLength: 200 },
  from: epochMs('epoch ms, inclusive'),
  to: epochMs('epoch ms, exclusive; beyond now + 1 day it means now + 1 day'),
  min_input_tokens: tokenCount,
  max_input_tokens: tokenCount,
  min_output_tokens: tokenCount,
  max_output_tokens: tokenCount,
  min_latency_ms: latencyMs,
  max_latency_ms: latencyMs,
};

export const querystring = (extra: Record<string, Schema> = {}, withFilters = true): Schema => ({
  type: 'object',
  properties: { ...(withFilters ? FILTER_PROPERTIES : {}), ...extra },
});

export const SORT_PROPERTIES: Record<string, Schema> = {
  sort: { type: 'string', enum: [...SORTS], default: 'time' },
  order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
};

export const INTERVAL_PROPERTY: Schema = {
  type: 'integer',
  minimum: 1,
  maximum: BOUNDS.intervalSMax,
  description: 'bucket width in seconds',
};

export const aggregationQuery = querystring({
  interval: INTERVAL_PROPERTY,
  include: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 10 },
});

export const errorSchema = obj({ error: str });

/** The error statuses every analytics route can answer. */
export const ERROR_RESPONSES: Record<number, Schema> = {
  400: errorSchema,
  401: errorSchema,
  503: errorSchema,
};

const statusEnum = { type: 'string', enum: [...REQUEST_STATUSES] };

const summaryProperties: Record<string, Schema> = {
  id: str,
  started_at: int,
  model: nullable('string'),
  endpoint: { type: 'string', enum: [...ENDPOINTS] },
  user: nullable('string'),
  session: nullable('string'),
  status: statusEnum,
  http_status: int,
  category: { type: 'string', enum: [...CATEGORIES] },
  prompt_preview: nullable('string'),
  input_tokens: nullable('integer'),
  output_tokens: nullable('integer'),
  duration_ms: num,
  ttft_ms: nullable('number'),
  cost: nullable('number'),
  error_type: nullable('string'),
  error_message: nullable('string'),
};

export const messageSummarySchema = obj(summaryProperties);

/** Free-form objects recorded from the request (prompt, response, options): kept as recorded. */
const freeObject: Schema = { type: ['object', 'null'], additionalProperties: true };

export const messageSchema = obj({
  ...summaryProperties,
  method: str,
  path: str,
  flavor: { type: 'string', enum: ['ollama', 'openai', 'none'] },
  stream: bool,
  client_address: nullable('string'),
  user_agent: nullable('string'),
  ended_at: int,
  ttfb_ms: nullable('number'),
  prompt: freeObject,
  response: freeObject,
  options: freeObject,
  timings: obj({
    total_duration_ns: nullable('integer'),
    load_duration_ns: nullable('integer'),
    prompt_eval_count: nullable('integer'),
    prompt_eval_duration_ns: nullable('integer'),
    eval_count: nullable('integer'),
    eval_duration_ns: nullable('integer'),
  }),
  done_reason: nullable('string'),
  token_source: { type: 'string', enum: ['ollama', 'openai_usage', 'none'] },
  queue_ms: nullable('number'),
  tokens_per_second: nullable('number'),
  chunks: { type: 'array', items: obj({ t_ms: num, bytes: int, text: nullable('string') }) },
  capture_content: bool,
  redacted: bool,
});

export const pageSchema = obj({
  messages: { type: 'array', items: messageSummarySchema },
  next_cursor: nullable('string'),
});

export const detailSchema = obj({
  message: messageSchema,
  session_messages: { type: 'array', items: messageSummarySchema },
});

const figures: Record<string, Schema> = {
  messages: int,
  unique_users: int,
  avg_input_tokens: nullable('number'),
  avg_output_tokens: nullable('number'),
  total_cost: num,
  error_rate: nullable('number'),
};
const changes: Record<string, Schema> = Object.fromEntries(
  Object.keys(figures).map((k) => [k, nullable('number')])
);

const bucketSchema = obj({
  key: nullable('string'),
  messages: int,
  errors: int,
  input_tokens: int,
  output_tokens: int,
  avg_latency_ms: nullable('number'),
  cost: num,
});

export const aggregationsSchema = obj({
  summary: obj({ ...figures, previous: obj(figures), change: obj(changes) }),
  timeseries: {
    type: 'array',
    items: obj({
      t: int,
      requests: int,
      errors: int,
      input_tokens: int,
      output_tokens: int,
      latency_p50_ms: nullable('number'),
      latency_p95_ms: nullable('number'),
      latency_p99_ms: nullable('number'),
    }),
  },
  breakdowns: obj({
    model: { type: 'array', items: bucketSchema },
    category: { type: 'array', items: bucketSchema },
    status: { type: 'array', items: bucketSchema },
    user: { type: 'array', items: bucketSchema },
  }),
  latency_histogram: {
    type: 'array',
    items: obj({ le_ms: nullable('number'), count: int }),
    maxItems: HISTOGRAM_EDGES_MS.length + 1,
  },
  scatter: {
    type: 'array',
    items: obj({
      id: str,
      input_tokens: nullable('integer'),
      output_tokens: nullable('integer'),
      duration_ms: num,
      cost: nullable('number'),
      model: nullable('string'),
    }),
  },
  sampled: bool,
  matched: nullable('integer'),
  sample_size: nullable('integer'),
});

const segment = obj({ text: str, match: bool });
export const searchSchema = obj({
  results: {
    type: 'array',
    items: obj({
      id: str,
      started_at: int,
      model: nullable('string'),
      user: nullable('string'),
      status: statusEnum,
      prompt_snippet: { type: 'array', items: segment },
      response_snippet: { type: 'array', items: segment },
    }),
  },
});

const named = { type: 'array', items: obj({ name: str, messages: int }) };
export const modelsSchema = obj({ models: named });
export const usersSchema = obj({ users: named });
export const categoriesSchema = obj({ categories: named });

export const currentStatsSchema = obj({
  total_requests: int,
  total_tokens: int,
  total_errors: int,
  avg_latency_ms: nullable('number'),
  models_in_use: { type: 'array', items: str },
  uptime_seconds: int,
});

export const historySchema = obj({
  metrics: {
    type: 'array',
    items: obj({
      timestamp: str,
      requests_per_minute: num,
      tokens_per_second: num,
      avg_latency_ms: nullable('number'),
      error_rate: nullable('number'),
    }),
  },
});

export const dataSummarySchema = obj({
  messages: int,
  oldest: nullable('integer'),
  newest: nullable('integer'),
  db_bytes: int,
});

export const deletedSchema = obj({ deleted: int });
