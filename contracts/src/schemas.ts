/**
 * The analytics API's schemas (querystrings validated by fastify's Ajv; responses serialised by
 * fast-json-stringify, which also guarantees no field leaks beyond the contract) and, from each, its
 * TypeScript type (`Static<typeof X>`): the sidecar's routes and the plugin's client read the same
 * shapes. docs/api.md describes them for people.
 *
 * Built with TypeBox: its builders return plain JSON Schema objects (what fastify and Ajv take as they
 * are) while carrying the static type, so the schema is written once and the type follows from it.
 * The schemas are kept as they were written by hand before: nullable fields are `type: [T, 'null']`
 * (fast-json-stringify's fast path, where an `anyOf` would validate each value to pick a branch) and
 * enums are `{type: 'string', enum}`.
 *
 * The plugin imports only the types of this module (`import type`), so its bundle carries no TypeBox.
 */
import {
  Type,
  type Static,
  type TInteger,
  type TNumber,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnsafe,
} from '@sinclair/typebox';
import {
  BOUNDS,
  EXPORT_FORMATS,
  PAGE_LIMIT,
  RANGE_FILTERS,
  SEARCH_LIMIT,
  SORT_ORDERS,
  SORTS,
  type FilterKey,
  type RangeFilterKey,
} from './filters';
import {
  API_FLAVORS,
  CATEGORIES,
  ENDPOINTS,
  ERROR_TYPES,
  REQUEST_STATUSES,
  TOKEN_SOURCES,
  type GenerationOptions,
  type PromptInfo,
  type ResponseInfo,
} from './record';
import { EVENT_TYPES, EVENTS_LIMIT, type EventDetail } from './events';
import { ORIGINS } from './origin';
import { STATUS_LEVELS, STATUS_SOURCES } from './status';
import {
  FAVOURITES_MAX,
  MODEL_ACTIONS,
  MODEL_NAME_MAX_LENGTH,
  MODEL_NAME_PATTERN,
  PLACEMENTS,
  PLAYGROUND_LIMITS,
  PLAYGROUND_ROLES,
} from './models';

// ── building blocks ────────────────────────────────────────────────────────────────────────────────

type Scalar = TString | TInteger | TNumber;

/** `{type: [T, 'null']}`: present and null when unknown, never absent (docs/api.md). */
export function Nullable<T extends Scalar>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/** A string out of a fixed list, as `{type: 'string', enum}` (the union type comes from the list). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { default?: T[number] } = {}
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A value out of a fixed list, or null. */
export function NullableEnum<const T extends readonly string[]>(values: T) {
  return Type.Unsafe<T[number] | null>({ type: ['string', 'null'], enum: [...values, null] });
}

/** An object whose every property is required and nothing else may appear. */
function Closed<T extends TProperties>(properties: T): TObject<T> {
  return Type.Object(properties, { additionalProperties: false });
}

/** An object recorded as the client sent it: returned as recorded, null when not captured. */
function Recorded<T>(description: string): TUnsafe<T | null> {
  return Type.Unsafe<T | null>({ type: ['object', 'null'], additionalProperties: true, description });
}

const str = Type.String();
const int = Type.Integer();
const num = Type.Number();
const bool = Type.Boolean();

/** An epoch-milliseconds instant within [0, BOUNDS.epochMsMax]. */
export const EpochMs = (description: string) =>
  Type.Integer({ minimum: 0, maximum: BOUNDS.epochMsMax, description });

// ── requests ───────────────────────────────────────────────────────────────────────────────────────

/**
 * A repeatable, comma-separable query parameter (`model=a&model=b` or `model=a,b`). Its items stay
 * strings here (one item may hold several values); the sidecar splits them and checks statuses and
 * categories against their lists, answering 400 with the allowed values.
 */
const List = Type.Array(Type.String({ maxLength: 500 }), { maxItems: 100 });

function rangeBound(key: RangeFilterKey): TInteger | TNumber {
  const { whole, max } = RANGE_FILTERS[key];
  return whole ? Type.Integer({ minimum: 0, maximum: max }) : Type.Number({ minimum: 0, maximum: max });
}

/** The filter set, once: every analytics query that filters accepts exactly these parameters. */
const FILTER_PROPERTIES = {
  q: Type.Optional(
    Type.String({ maxLength: 1000, description: 'full-text search over prompt and response' })
  ),
  model: Type.Optional(List),
  status: Type.Optional(List),
  user: Type.Optional(Type.String({ maxLength: 500 })),
  session: Type.Optional(Type.String({ maxLength: 500 })),
  category: Type.Optional(List),
  host: Type.Optional(List),
  origin: Type.Optional(List),
  endpoint: Type.Optional(Type.String({ maxLength: 200 })),
  from: Type.Optional(EpochMs('epoch ms, inclusive')),
  to: Type.Optional(EpochMs('epoch ms, exclusive; beyond now + 1 day it means now + 1 day')),
  min_input_tokens: Type.Optional(rangeBound('min_input_tokens')),
  max_input_tokens: Type.Optional(rangeBound('max_input_tokens')),
  min_output_tokens: Type.Optional(rangeBound('min_output_tokens')),
  max_output_tokens: Type.Optional(rangeBound('max_output_tokens')),
  min_latency_ms: Type.Optional(rangeBound('min_latency_ms')),
  max_latency_ms: Type.Optional(rangeBound('max_latency_ms')),
} satisfies Record<FilterKey, TSchema>;

export const FilterQuery = Type.Object(FILTER_PROPERTIES);
/** The filter as the API takes it; the plugin builds one, the sidecar parses one. */
export type MessageFilters = Static<typeof FilterQuery>;

const SORT_PROPERTIES = {
  sort: StringEnum(SORTS, { default: 'time' }),
  order: StringEnum(SORT_ORDERS, { default: 'desc' }),
};

export const IntervalSeconds = Type.Integer({
  minimum: 1,
  maximum: BOUNDS.intervalSMax,
  description: 'bucket width in seconds',
});

/** Routes that take no parameter still declare an empty querystring, so an unknown one is a 400. */
export const NoQuery = Type.Object({});

export const MessagesQuery = Type.Object({
  ...FILTER_PROPERTIES,
  ...SORT_PROPERTIES,
  limit: Type.Integer({ minimum: PAGE_LIMIT.min, maximum: PAGE_LIMIT.max, default: PAGE_LIMIT.default }),
  cursor: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type MessagesQuery = Static<typeof MessagesQuery>;

export const ExportQuery = Type.Object({
  ...FILTER_PROPERTIES,
  ...SORT_PROPERTIES,
  format: StringEnum(EXPORT_FORMATS, { default: 'csv' }),
});
export type ExportQuery = Static<typeof ExportQuery>;

export const AggregationsQuery = Type.Object({
  ...FILTER_PROPERTIES,
  interval: Type.Optional(IntervalSeconds),
  include: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 10 })),
});
export type AggregationsQuery = Static<typeof AggregationsQuery>;

export const SearchQuery = Type.Object({
  ...FILTER_PROPERTIES,
  limit: Type.Integer({
    minimum: SEARCH_LIMIT.min,
    maximum: SEARCH_LIMIT.max,
    default: SEARCH_LIMIT.default,
  }),
});
export type SearchQuery = Static<typeof SearchQuery>;

export const HistoryQuery = Type.Object({ ...FILTER_PROPERTIES, interval: Type.Optional(IntervalSeconds) });
export type HistoryQuery = Static<typeof HistoryQuery>;

export const DeleteBeforeQuery = Type.Object({
  before: EpochMs('epoch ms: messages that started before it are deleted'),
});

export const MessageIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

// ── responses ──────────────────────────────────────────────────────────────────────────────────────

export const ErrorBody = Closed({ error: str });
export type ErrorBody = Static<typeof ErrorBody>;

/** The error statuses every analytics route can answer. */
export const ERROR_RESPONSES = { 400: ErrorBody, 401: ErrorBody, 503: ErrorBody } as const;

const summaryProperties = {
  id: str,
  /** Epoch milliseconds. */
  started_at: int,
  model: Nullable(str),
  endpoint: StringEnum(ENDPOINTS),
  user: Nullable(str),
  session: Nullable(str),
  status: StringEnum(REQUEST_STATUSES),
  http_status: int,
  category: StringEnum(CATEGORIES),
  /** Plain text, at most 200 characters. */
  prompt_preview: Nullable(str),
  input_tokens: Nullable(int),
  output_tokens: Nullable(int),
  duration_ms: num,
  ttft_ms: Nullable(num),
  cost: Nullable(num),
  error_type: NullableEnum(ERROR_TYPES),
  error_message: Nullable(str),
  /** The sidecar that measured it (its --instance name); null on messages stored before schema 6. */
  host: Nullable(str),
  /** Set when the product itself sent the request (the playground); null for applications' requests. */
  origin: NullableEnum(ORIGINS),
};

/** One row of the Explorer table. */
export const MessageSummary = Closed(summaryProperties);
export type MessageSummary = Static<typeof MessageSummary>;

/** Ollama's own counters and durations, in the units Ollama reports (nanoseconds). */
export const MessageTimings = Closed({
  total_duration_ns: Nullable(int),
  load_duration_ns: Nullable(int),
  prompt_eval_count: Nullable(int),
  prompt_eval_duration_ns: Nullable(int),
  eval_count: Nullable(int),
  eval_duration_ns: Nullable(int),
});
export type MessageTimings = Static<typeof MessageTimings>;

/** One chunk of a streamed answer as it arrived at the proxy (for the stream replay). */
export const StoredChunk = Closed({
  /** Milliseconds since the request started. */
  t_ms: num,
  /** Bytes of the chunk (network chunk, not token). */
  bytes: int,
  /** null when the chunk carried no text or the text was not captured. */
  text: Nullable(str),
});
export type StoredChunk = Static<typeof StoredChunk>;

/** The whole message (detail view). */
export const Message = Closed({
  ...summaryProperties,
  method: str,
  path: str,
  flavor: StringEnum(API_FLAVORS),
  stream: bool,
  client_address: Nullable(str),
  user_agent: Nullable(str),
  ended_at: int,
  ttfb_ms: Nullable(num),
  /** Body sizes as they crossed the proxy, in bytes. */
  request_bytes: int,
  response_bytes: int,
  /** Time the proxy itself spent on this request, in ms; null when not measured. */
  proxy_overhead_ms: Nullable(num),
  /** null when content was not captured, or the endpoint has no prompt (e.g. /api/tags). */
  prompt: Recorded<PromptInfo>('what the client asked for, normalised across native and /v1 formats'),
  response: Recorded<ResponseInfo>('the answer as recorded'),
  options: Recorded<GenerationOptions>('model options; unknown keys under extra'),
  timings: MessageTimings,
  done_reason: Nullable(str),
  token_source: StringEnum(TOKEN_SOURCES),
  queue_ms: Nullable(num),
  tokens_per_second: Nullable(num),
  /** The model name as the client requested it; `model` is its canonical form (`tiny` → `tiny:latest`). */
  requested_model: Nullable(str),
  /** The cost's parts: input (prompt) and output (answer) tokens at their prices; null before they were kept. */
  input_cost: Nullable(num),
  output_cost: Nullable(num),
  chunks: Type.Array(StoredChunk),
  capture_content: bool,
  redacted: bool,
});
export type Message = Static<typeof Message>;

export const MessagesPage = Closed({
  messages: Type.Array(MessageSummary),
  next_cursor: Nullable(str),
});
export type MessagesPage = Static<typeof MessagesPage>;

export const MessageDetailResponse = Closed({
  message: Message,
  session_messages: Type.Array(MessageSummary),
});
export type MessageDetailResponse = Static<typeof MessageDetailResponse>;

const figureProperties = {
  messages: int,
  unique_users: int,
  avg_input_tokens: Nullable(num),
  avg_output_tokens: Nullable(num),
  total_cost: num,
  error_rate: Nullable(num),
};
export const SummaryFigures = Closed(figureProperties);
export type SummaryFigures = Static<typeof SummaryFigures>;

/** The relative change of each figure against the previous window; null where it is undefined. */
export const SummaryChange = Closed({
  messages: Nullable(num),
  unique_users: Nullable(num),
  avg_input_tokens: Nullable(num),
  avg_output_tokens: Nullable(num),
  total_cost: Nullable(num),
  error_rate: Nullable(num),
} satisfies Record<keyof typeof figureProperties, TSchema>);
export type SummaryChange = Static<typeof SummaryChange>;

export const Summary = Closed({ ...figureProperties, previous: SummaryFigures, change: SummaryChange });
export type Summary = Static<typeof Summary>;

export const TimeseriesPoint = Closed({
  /** Bucket start, epoch milliseconds. */
  t: int,
  requests: int,
  errors: int,
  input_tokens: int,
  output_tokens: int,
  latency_p50_ms: Nullable(num),
  latency_p95_ms: Nullable(num),
  latency_p99_ms: Nullable(num),
});
export type TimeseriesPoint = Static<typeof TimeseriesPoint>;

/** One value of a breakdown; `key` is null for messages without one (no model, no user). */
export const Bucket = Closed({
  key: Nullable(str),
  messages: int,
  errors: int,
  input_tokens: int,
  output_tokens: int,
  avg_latency_ms: Nullable(num),
  cost: num,
});
export type Bucket = Static<typeof Bucket>;

export const HistogramBin = Closed({
  /** Upper edge in ms; null = +Inf. */
  le_ms: Nullable(num),
  count: int,
});
export type HistogramBin = Static<typeof HistogramBin>;

export const ScatterPoint = Closed({
  id: str,
  input_tokens: Nullable(int),
  output_tokens: Nullable(int),
  duration_ms: num,
  cost: Nullable(num),
  model: Nullable(str),
});
export type ScatterPoint = Static<typeof ScatterPoint>;

export const Aggregations = Closed({
  summary: Summary,
  timeseries: Type.Array(TimeseriesPoint),
  breakdowns: Closed({
    model: Type.Array(Bucket),
    category: Type.Array(Bucket),
    status: Type.Array(Bucket),
    user: Type.Array(Bucket),
  }),
  latency_histogram: Type.Array(HistogramBin),
  scatter: Type.Array(ScatterPoint),
  /**
   * true when some figures were computed from the newest `sample_size` matching messages rather than
   * all of them (a search term, or a filter the rollups do not hold; see docs/api.md).
   */
  sampled: bool,
  /** How many messages in the window match the filters; null when not known (more than counted). */
  matched: Nullable(int),
  /** How many of the newest matching messages the sampled figures are based on; null when not sampled. */
  sample_size: Nullable(int),
});
export type Aggregations = Static<typeof Aggregations>;

/** A piece of a snippet: plain text, or a part that matched the search (never markup). */
export const Segment = Closed({ text: str, match: bool });
export type Segment = Static<typeof Segment>;

export const SearchResult = Closed({
  id: str,
  started_at: int,
  model: Nullable(str),
  user: Nullable(str),
  status: StringEnum(REQUEST_STATUSES),
  prompt_snippet: Type.Array(Segment),
  response_snippet: Type.Array(Segment),
});
export type SearchResult = Static<typeof SearchResult>;

export const SearchResults = Closed({ results: Type.Array(SearchResult) });
export type SearchResults = Static<typeof SearchResults>;

/** A value of a Grafana variable (model, user, category, host) with its message count. */
export const NamedCount = Closed({ name: str, messages: int });
export type NamedCount = Static<typeof NamedCount>;

export const ModelList = Closed({ models: Type.Array(NamedCount) });
export const UserList = Closed({ users: Type.Array(NamedCount) });
export const CategoryList = Closed({ categories: Type.Array(NamedCount) });
/** The sidecars (their --instance names) that wrote messages to the store. */
export const HostList = Closed({ hosts: Type.Array(NamedCount) });

export const CurrentStats = Closed({
  total_requests: int,
  total_tokens: int,
  total_errors: int,
  avg_latency_ms: Nullable(num),
  models_in_use: Type.Array(str),
  uptime_seconds: int,
});
export type CurrentStats = Static<typeof CurrentStats>;

export const HistoryPoint = Closed({
  timestamp: str,
  requests_per_minute: num,
  tokens_per_second: num,
  avg_latency_ms: Nullable(num),
  error_rate: Nullable(num),
});
export type HistoryPoint = Static<typeof HistoryPoint>;

export const History = Closed({ metrics: Type.Array(HistoryPoint) });

export const DataSummary = Closed({
  messages: int,
  oldest: Nullable(int),
  newest: Nullable(int),
  db_bytes: int,
});
export type DataSummary = Static<typeof DataSummary>;

export const Deleted = Closed({ deleted: int });
export type Deleted = Static<typeof Deleted>;

/**
 * The export's body is a stream that fastify passes through without serialising: the schema documents
 * it, and its type is left open (a stream on the sidecar, a download in the browser).
 */
export const ExportBody = Type.Unsafe<unknown>({
  type: 'string',
  description: 'CSV, NDJSON or a JSON array of messages, streamed',
});

// ── events and the status line ─────────────────────────────────────────────────────────────────────

export const EventsQuery = Type.Object({
  from: Type.Optional(EpochMs('epoch ms, inclusive (default: 24 hours before `to`)')),
  to: Type.Optional(EpochMs('epoch ms, exclusive (default: now)')),
  type: Type.Optional(List),
  group: Type.Optional(List),
  model: Type.Optional(List),
  limit: Type.Integer({ minimum: 1, maximum: EVENTS_LIMIT, default: EVENTS_LIMIT }),
});
export type EventsQuery = Static<typeof EventsQuery>;

const EventDetailValue = Type.Unsafe<EventDetail>({ type: ['string', 'number', 'boolean', 'null'] });

export const LensEventSchema = Closed({
  at: int,
  type: StringEnum(EVENT_TYPES),
  model: Nullable(str),
  details: Type.Record(Type.String(), EventDetailValue),
});

export const EventsResponse = Closed({
  /** Oldest first. */
  events: Type.Array(LensEventSchema),
  /** True when the range held more than `limit` events: the newest are returned. */
  truncated: bool,
});
export type EventsResponse = Static<typeof EventsResponse>;

export const StatusResponse = Closed({
  line: str,
  level: StringEnum(STATUS_LEVELS),
  facts: Type.Array(Closed({ id: str, level: StringEnum(STATUS_LEVELS), text: str })),
  source: StringEnum(STATUS_SOURCES),
  at: int,
});

// ── the Models page and the Playground (issue 15; routes in models.ts MODELS_API) ─────────────────

/** A model name as Ollama takes it (models.ts MODEL_NAME_PATTERN): anything else is a 400. */
export const ModelName = Type.String({
  minLength: 1,
  maxLength: MODEL_NAME_MAX_LENGTH,
  pattern: MODEL_NAME_PATTERN,
  description: 'a model name: [host[:port]/][namespace/]model[:tag]',
});

/** One installed model: /api/tags, with what /api/show adds (capabilities, context length). */
export const InstalledModel = Closed({
  name: str,
  /** The manifest digest (changes when the name is re-pulled or re-created). */
  digest: Nullable(str),
  /** Bytes on disk. */
  size_bytes: int,
  /** Epoch milliseconds. */
  modified_at: Nullable(int),
  format: Nullable(str),
  family: Nullable(str),
  families: Type.Array(str),
  parameter_size: Nullable(str),
  quantization_level: Nullable(str),
  parent_model: Nullable(str),
  /** From /api/show (`completion`, `embedding`, `tools`, …); empty when Ollama did not say. */
  capabilities: Type.Array(str),
  /** The model's trained context length (/api/show model_info `<arch>.context_length`). */
  context_length: Nullable(int),
  favourite: bool,
  is_default: bool,
  /** In memory now (listed in `loaded`). */
  loaded: bool,
});
export type InstalledModel = Static<typeof InstalledModel>;

/** One model in memory now (/api/ps). */
export const LoadedModel = Closed({
  name: str,
  digest: Nullable(str),
  /** Bytes in memory, VRAM included. */
  size_bytes: int,
  vram_bytes: int,
  /** size_bytes − vram_bytes: the part in system RAM. */
  ram_bytes: int,
  placement: StringEnum(PLACEMENTS),
  /** true when part or all of the model is not in VRAM (vram_bytes < size_bytes): those layers run on the CPU. */
  offloaded: bool,
  /** The context length it was loaded with. */
  context_length: Nullable(int),
  /** When Ollama unloads it unless it is used again, epoch ms; null when Ollama gave none. */
  expires_at: Nullable(int),
});
export type LoadedModel = Static<typeof LoadedModel>;

/** Favourites and the default model, kept by the sidecar (seed 003's model repository). */
export const ModelPreferences = Closed({
  favourites: Type.Array(ModelName, { maxItems: FAVOURITES_MAX, uniqueItems: true }),
  default_model: Nullable(ModelName),
});
export type ModelPreferences = Static<typeof ModelPreferences>;

export const InstalledModels = Closed({
  installed: Type.Array(InstalledModel),
  loaded: Type.Array(LoadedModel),
  preferences: ModelPreferences,
  /** Whether the sidecar has an actions token (--actions-token): without one every action answers 403. */
  actions_enabled: bool,
});
export type InstalledModels = Static<typeof InstalledModels>;

export const ModelUsageQuery = Type.Object({
  from: Type.Optional(EpochMs('epoch ms, inclusive (default: 24 hours before `to`)')),
  to: Type.Optional(EpochMs('epoch ms, exclusive (default: now); beyond now + 1 day it means now + 1 day')),
});
export type ModelUsageQuery = Static<typeof ModelUsageQuery>;

/** One model's figures over the window (seed 003's per-model statistics), from the stored messages. */
export const ModelUsage = Closed({
  /** Canonical name (`tiny:latest`). */
  model: str,
  requests: int,
  errors: int,
  /** errors ÷ requests; null without requests. */
  error_rate: Nullable(num),
  input_tokens: int,
  output_tokens: int,
  /** Output tokens ÷ generation time over the requests that reported both; null when none did. */
  tokens_per_second: Nullable(num),
  /** Request latency percentiles, ms (within the latency sketch's 2 % relative error). */
  latency_p50_ms: Nullable(num),
  latency_p95_ms: Nullable(num),
  /** Epoch ms of the newest request in the window. */
  last_used: Nullable(int),
});
export type ModelUsage = Static<typeof ModelUsage>;

export const ModelUsageResponse = Closed({ models: Type.Array(ModelUsage) });
export type ModelUsageResponse = Static<typeof ModelUsageResponse>;

export const ModelDetailQuery = Type.Object({ name: ModelName });
export type ModelDetailQuery = Static<typeof ModelDetailQuery>;

/** A model_info value as Ollama sends it (numbers, strings, booleans, arrays; null for omitted arrays). */
export type ModelInfoValue = string | number | boolean | null | ModelInfoValue[];

/** One model's /api/show, for the detail drawer: passed through as Ollama gives it. */
export const ModelDetail = Closed({
  name: str,
  license: Nullable(str),
  modelfile: Nullable(str),
  /** Ollama's parameter lines (`stop "<|eot|>"`, `temperature 0.7`, …), one per line. */
  parameters: Nullable(str),
  template: Nullable(str),
  system: Nullable(str),
  details: Closed({
    parent_model: Nullable(str),
    format: Nullable(str),
    family: Nullable(str),
    families: Type.Array(str),
    parameter_size: Nullable(str),
    quantization_level: Nullable(str),
  }),
  model_info: Type.Unsafe<Record<string, ModelInfoValue>>({
    type: 'object',
    additionalProperties: true,
    description: 'GGUF metadata keys (general.architecture, <arch>.context_length, …) as Ollama gives them',
  }),
  capabilities: Type.Array(str),
  modified_at: Nullable(int),
});
export type ModelDetail = Static<typeof ModelDetail>;

export const ModelActionBody = Type.Object({ model: ModelName }, { additionalProperties: false });
export type ModelActionBody = Static<typeof ModelActionBody>;

export const CopyActionBody = Type.Object(
  { source: ModelName, destination: ModelName },
  { additionalProperties: false }
);
export type CopyActionBody = Static<typeof CopyActionBody>;

export const PullActionBody = Type.Object(
  {
    model: ModelName,
    /** Allow a registry over plain HTTP or with an unverified certificate (Ollama's `insecure`). */
    insecure: Type.Optional(bool),
  },
  { additionalProperties: false }
);
export type PullActionBody = Static<typeof PullActionBody>;

/** What load, unload, copy and delete answer once Ollama has done it. */
export const ModelActionResult = Closed({
  action: StringEnum(MODEL_ACTIONS),
  /** The model acted on (for copy: the new name). */
  model: str,
  /** For copy: the model copied; otherwise null. */
  source: Nullable(str),
  /** The stored message of the request the sidecar sent through its proxy (also in x-ollama-lens-id). */
  message_id: Nullable(str),
});
export type ModelActionResult = Static<typeof ModelActionResult>;

/** The statuses an action route answers besides 200 (403: no or wrong actions token, or actions disabled). */
export const ACTION_ERROR_RESPONSES = {
  ...ERROR_RESPONSES,
  403: ErrorBody,
  404: ErrorBody,
  500: ErrorBody,
  502: ErrorBody,
} as const;

/** The pull's body: Ollama's NDJSON progress lines (models.ts PullProgressLine), streamed as they come. */
export const PullStream = Type.Unsafe<unknown>({
  type: 'string',
  description: 'application/x-ndjson: Ollama progress lines {status, digest?, total?, completed?} or {error}',
});

export const PlaygroundMessage = Type.Object(
  {
    role: StringEnum(PLAYGROUND_ROLES),
    content: Type.String({ maxLength: PLAYGROUND_LIMITS.contentChars }),
  },
  { additionalProperties: false }
);
export type PlaygroundMessage = Static<typeof PlaygroundMessage>;

/** The options the playground offers (Ollama's names and meaning). */
export const PlaygroundOptions = Type.Object(
  {
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** -1: until the model stops; -2: until the context is full. */
    num_predict: Type.Optional(Type.Integer({ minimum: -2, maximum: 1_000_000 })),
    num_ctx: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    seed: Type.Optional(Type.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 })),
  },
  { additionalProperties: false }
);
export type PlaygroundOptions = Static<typeof PlaygroundOptions>;

export const PlaygroundChatBody = Type.Object(
  {
    model: ModelName,
    messages: Type.Array(PlaygroundMessage, { minItems: 1, maxItems: PLAYGROUND_LIMITS.messages }),
    /** Sent as the first message with role `system`. */
    system: Type.Optional(Type.String({ maxLength: PLAYGROUND_LIMITS.contentChars })),
    options: Type.Optional(PlaygroundOptions),
  },
  { additionalProperties: false }
);
export type PlaygroundChatBody = Static<typeof PlaygroundChatBody>;

/** The playground's body: Ollama's /api/chat NDJSON lines (models.ts ChatStreamLine), streamed as they come. */
export const ChatStream = Type.Unsafe<unknown>({
  type: 'string',
  description: 'application/x-ndjson: Ollama /api/chat chunks, the last with done: true, or an {error} line',
});
