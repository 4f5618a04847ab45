import type { PriceTable } from '../config';
import { costOf } from '../metrics/cost';
import type {
  ChunkTiming,
  Endpoint,
  ErrorType,
  GenerationOptions,
  MeasurementRecord,
  PromptInfo,
  RequestStatus,
  ResponseInfo,
} from '../tap/record';
import { classify, instructionText } from './classify';
import type { Redactor } from './redact';
import type { Category, Message, MessageSummary, StoredChunk } from '@ollama-lens/contracts';

/**
 * Record → row (on the write path: redaction, classification, cost, derived timings) and row → API
 * objects (on the read path). The two directions live together so the column list has one home.
 */

export const PREVIEW_CHARS = 200;

/** Columns of `messages` written on insert, in statement order. */
export const MESSAGE_COLUMNS = [
  'id',
  'started_at',
  'ended_at',
  'duration_ms',
  'ttft_ms',
  'ttfb_ms',
  'method',
  'path',
  'endpoint',
  'flavor',
  'model',
  'user',
  'session',
  'client_address',
  'user_agent',
  'stream',
  'status',
  'http_status',
  'error_type',
  'error_message',
  'request_bytes',
  'response_bytes',
  'category',
  'input_tokens',
  'output_tokens',
  'token_source',
  'cost',
  'total_duration_ns',
  'load_duration_ns',
  'prompt_eval_count',
  'prompt_eval_duration_ns',
  'eval_count',
  'eval_duration_ns',
  'queue_ms',
  'tokens_per_second',
  'done_reason',
  'proxy_overhead_ms',
  'options',
  'capture_content',
  'redacted',
] as const;

export const CONTENT_COLUMNS = ['prompt_preview', 'prompt', 'response', 'chunks'] as const;

type SqlValue = string | number | null;

/** A prepared row: values in MESSAGE_COLUMNS order, content values in CONTENT_COLUMNS order. */
export interface PreparedRow {
  message: SqlValue[];
  content: SqlValue[];
  /** The text for the full-text index (prompt, response), or null when nothing is searchable. */
  fts: [string, string] | null;
}

export interface RowOptions {
  captureContent: boolean;
  redactor?: Redactor;
  prices: PriceTable;
}

const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Whitespace-collapsed, at most PREVIEW_CHARS characters (code points, so no half surrogate). */
export function preview(text: string): string | null {
  // Only the start can end up in the preview; collapsing a long text's whitespace would be wasted work.
  const flat = (text.length > PREVIEW_CHARS * 4 ? text.slice(0, PREVIEW_CHARS * 4) : text)
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length === 0) return null;
  if (flat.length <= PREVIEW_CHARS) return flat;
  const cps = Array.from(flat.slice(0, PREVIEW_CHARS * 2));
  return cps.length <= PREVIEW_CHARS ? cps.join('') : cps.slice(0, PREVIEW_CHARS - 1).join('') + '…';
}

/** The prompt as one searchable text: system, prompt, suffix and every message's content. */
export function promptText(p: PromptInfo | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.system) parts.push(p.system);
  if (p.prompt) parts.push(p.prompt);
  if (p.suffix) parts.push(p.suffix);
  for (const m of p.messages ?? []) {
    if (m.content) parts.push(m.content);
    for (const t of m.tool_calls ?? []) parts.push(`${t.name} ${t.arguments}`);
  }
  return parts.join('\n');
}

export function responseText(r: ResponseInfo | undefined): string {
  if (!r) return '';
  const parts: string[] = [];
  if (r.content) parts.push(r.content);
  if (r.thinking) parts.push(r.thinking);
  for (const t of r.tool_calls ?? []) parts.push(`${t.name} ${t.arguments}`);
  return parts.join('\n');
}

/**
 * Redacts every text a record carries before it is stored: headers (user, session, user agent),
 * model, path, error message, options (free-form `extra` keys and values too), prompt, response, tool
 * names and arguments, chunk texts. The full-text index is built from the redacted texts, so no
 * secret reaches a table, the index or the WAL.
 */
class TextMapper {
  count = 0;
  constructor(private readonly redactor: Redactor) {}

  text(s: string): string;
  text(s: string | undefined): string | undefined;
  text(s: string | undefined): string | undefined {
    if (!s) return s;
    const r = this.redactor.redact(s);
    this.count += r.count;
    return r.text;
  }

  /**
   * Every string in a JSON-like value; with `keys`, object keys too (free-form options may carry a
   * secret in a key; the keys of a parsed prompt are the parser's own field names). Numbers,
   * booleans and null are kept, and so is the shape.
   */
  deep<T>(v: T, keys = false): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x: unknown) => this.deep(x, keys)) as T;
    if (v && typeof v === 'object') {
      // fromEntries defines own properties, so a "__proto__" key stays a key.
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [keys ? this.text(k) : k, this.deep(x, keys)])
      ) as T;
    }
    return v;
  }

  chunks(chunks: ChunkTiming[]): ChunkTiming[] {
    const r = this.redactor.redactPieces(chunks.map((c) => c.text ?? ''));
    if (r.count === 0) return chunks;
    this.count += r.count;
    return chunks.map((c, i) => (c.text === undefined ? c : { ...c, text: r.pieces[i] }));
  }
}

/** Options without free text, for messages whose content must not be stored. */
function metadataOptions(o: GenerationOptions | undefined): GenerationOptions | undefined {
  if (!o) return o;
  const { stop: _stop, extra: _extra, ...numeric } = o;
  return numeric;
}

/**
 * Compact chunk encoding. `t`: arrival times in 0.1 ms, the first absolute and the rest as deltas;
 * `b`: bytes per chunk. The texts are usually the response cut in pieces, so they are stored as
 * lengths (`l`) into the stored response content; only when they do not add up to it (e.g. a stream
 * cut short) are they kept verbatim (`x`). Without captured content there is neither.
 */
interface EncodedChunks {
  t: number[];
  b: number[];
  l?: number[];
  x?: (string | null)[];
}

export function encodeChunks(
  chunks: readonly ChunkTiming[] | undefined,
  content: string | undefined,
  withText: boolean
): string | null {
  if (!chunks || chunks.length === 0) return null;
  const t: number[] = [];
  const b: number[] = [];
  let prev = 0;
  for (const c of chunks) {
    const tenths = Math.round(c.t_ms * 10);
    t.push(tenths - prev);
    prev = tenths;
    b.push(c.bytes);
  }
  const enc: EncodedChunks = { t, b };
  if (withText && chunks.some((c) => c.text)) {
    // Do the pieces add up to the stored content? Checked in place, without building the joined text.
    let at = 0;
    let derivable = content !== undefined;
    for (let i = 0; derivable && i < chunks.length; i++) {
      const text = chunks[i].text;
      if (!text) continue;
      derivable = (content as string).startsWith(text, at);
      at += text.length;
    }
    if (derivable && at === (content as string).length) enc.l = chunks.map((c) => c.text?.length ?? 0);
    else enc.x = chunks.map((c) => c.text || null);
  }
  return JSON.stringify(enc);
}

export function decodeChunks(json: string | null, content: string | undefined): StoredChunk[] {
  if (!json) return [];
  const enc = JSON.parse(json) as EncodedChunks;
  const out: StoredChunk[] = [];
  let tenths = 0;
  let at = 0;
  for (let i = 0; i < enc.t.length; i++) {
    tenths += enc.t[i];
    let text: string | null = null;
    if (enc.l && content !== undefined) {
      const len = enc.l[i];
      text = len > 0 ? content.slice(at, at + len) : null;
      at += len;
    } else if (enc.x) {
      text = enc.x[i] ?? null;
    }
    out.push({ t_ms: tenths / 10, bytes: enc.b[i], text });
  }
  return out;
}

/** Ollama's total_duration covers the work; the rest of the proxy's wall time was spent waiting. */
export function queueMs(durationMs: number, totalDurationNs: number | undefined): number | null {
  if (totalDurationNs === undefined || totalDurationNs <= 0) return null;
  return Math.max(0, durationMs - totalDurationNs / 1e6);
}

export function tokensPerSecond(
  evalCount: number | undefined,
  evalDurationNs: number | undefined
): number | null {
  if (!evalCount || !evalDurationNs || evalDurationNs <= 0) return null;
  return evalCount / (evalDurationNs / 1e9);
}

export function prepareRow(r: MeasurementRecord, opts: RowOptions): PreparedRow {
  const capture = opts.captureContent && r.capture_content;
  const category: Category = classify(r.prompt);
  // Metadata is redacted whether or not content is captured: headers carry secrets too.
  const mapper = opts.redactor ? new TextMapper(opts.redactor) : undefined;
  const text = (s: string | undefined): string | null => n(mapper ? mapper.text(s) : s);

  let prompt = r.prompt;
  let response = r.response;
  let options = capture ? r.options : metadataOptions(r.options);
  let chunks = r.chunks;
  if (mapper) {
    options = mapper.deep(options, true);
    if (capture) {
      prompt = mapper.deep(prompt);
      response = mapper.deep(response);
      if (chunks) chunks = mapper.chunks(chunks);
    }
  }
  const t = r.timings ?? {};
  const cost = costOf(opts.prices, r.model, r.input_tokens, r.output_tokens);

  const message: SqlValue[] = [
    r.id,
    r.started_at,
    r.ended_at,
    r.duration_ms,
    n(r.ttft_ms),
    n(r.ttfb_ms),
    r.method,
    text(r.path),
    r.endpoint,
    r.flavor,
    text(r.model),
    text(r.user),
    text(r.session),
    n(r.client_address),
    text(r.user_agent),
    r.stream ? 1 : 0,
    r.status,
    r.http_status,
    n(r.error_type),
    text(r.error_message),
    r.request_bytes,
    r.response_bytes,
    category,
    n(r.input_tokens),
    n(r.output_tokens),
    r.token_source,
    n(cost),
    n(t.total_duration_ns),
    n(t.load_duration_ns),
    n(t.prompt_eval_count),
    n(t.prompt_eval_duration_ns),
    n(t.eval_count),
    n(t.eval_duration_ns),
    queueMs(r.duration_ms, t.total_duration_ns),
    tokensPerSecond(t.eval_count, t.eval_duration_ns),
    text(r.done_reason),
    n(r.proxy_overhead_ms),
    options && Object.keys(options).length > 0 ? JSON.stringify(options) : null,
    capture ? 1 : 0,
    mapper && mapper.count > 0 ? 1 : 0,
  ];

  if (capture) {
    const pText = promptText(prompt);
    const rText = responseText(response);
    const content: SqlValue[] = [
      preview(instructionText(prompt)),
      prompt ? JSON.stringify(prompt) : null,
      response ? JSON.stringify(response) : null,
      encodeChunks(chunks, response?.content, true),
    ];
    return { message, content, fts: pText || rText ? [pText, rText] : null };
  }
  // Metadata only: the chunk timings survive (they are not text), nothing else of the content does.
  return { message, content: [null, null, null, encodeChunks(chunks, undefined, false)], fts: null };
}

/** A `messages` row as SELECTed (column names as in the schema). */
export interface MessageRow {
  seq: number;
  id: string;
  started_at: number;
  ended_at: number;
  duration_ms: number;
  ttft_ms: number | null;
  ttfb_ms: number | null;
  request_bytes: number;
  response_bytes: number;
  proxy_overhead_ms: number | null;
  method: string;
  path: string;
  endpoint: Endpoint;
  flavor: Message['flavor'];
  model: string | null;
  user: string | null;
  session: string | null;
  client_address: string | null;
  user_agent: string | null;
  stream: number;
  status: RequestStatus;
  http_status: number;
  error_type: ErrorType | null;
  error_message: string | null;
  category: Category;
  input_tokens: number | null;
  output_tokens: number | null;
  token_source: Message['token_source'];
  cost: number | null;
  total_duration_ns: number | null;
  load_duration_ns: number | null;
  prompt_eval_count: number | null;
  prompt_eval_duration_ns: number | null;
  eval_count: number | null;
  eval_duration_ns: number | null;
  queue_ms: number | null;
  tokens_per_second: number | null;
  done_reason: string | null;
  options: string | null;
  capture_content: number;
  redacted: number;
  prompt_preview: string | null;
}

export interface ContentRow {
  prompt: string | null;
  response: string | null;
  chunks: string | null;
}

/** The columns a MessageSummary needs (m = messages, c = message_content). */
export const SUMMARY_SELECT =
  'm.seq, m.id, m.started_at, m.model, m.endpoint, m.user, m.session, m.status, m.http_status, m.category, c.prompt_preview, ' +
  'm.input_tokens, m.output_tokens, m.duration_ms, m.ttft_ms, m.cost, m.error_type, m.error_message';

export type SummaryRow = Pick<
  MessageRow,
  | 'seq'
  | 'id'
  | 'started_at'
  | 'model'
  | 'endpoint'
  | 'user'
  | 'session'
  | 'status'
  | 'http_status'
  | 'category'
  | 'prompt_preview'
  | 'input_tokens'
  | 'output_tokens'
  | 'duration_ms'
  | 'ttft_ms'
  | 'cost'
  | 'error_type'
  | 'error_message'
>;

export function toSummary(r: SummaryRow): MessageSummary {
  return {
    id: r.id,
    started_at: r.started_at,
    model: r.model,
    endpoint: r.endpoint,
    user: r.user,
    session: r.session,
    status: r.status,
    http_status: r.http_status,
    category: r.category,
    prompt_preview: r.prompt_preview,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    duration_ms: r.duration_ms,
    ttft_ms: r.ttft_ms,
    cost: r.cost,
    error_type: r.error_type,
    error_message: r.error_message,
  };
}

export function toMessage(r: MessageRow, c: ContentRow | undefined): Message {
  const response = c?.response ? (JSON.parse(c.response) as ResponseInfo) : null;
  // One literal with every field (not a spread of the summary): V8 builds it from a single shape,
  // which is many times faster than extending a spread object field by field (exports build millions).
  return {
    id: r.id,
    started_at: r.started_at,
    model: r.model,
    endpoint: r.endpoint,
    user: r.user,
    session: r.session,
    status: r.status,
    http_status: r.http_status,
    category: r.category,
    prompt_preview: r.prompt_preview,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    duration_ms: r.duration_ms,
    ttft_ms: r.ttft_ms,
    cost: r.cost,
    error_type: r.error_type,
    error_message: r.error_message,
    method: r.method,
    path: r.path,
    flavor: r.flavor,
    stream: r.stream === 1,
    client_address: r.client_address,
    user_agent: r.user_agent,
    ended_at: r.ended_at,
    ttfb_ms: r.ttfb_ms,
    request_bytes: r.request_bytes,
    response_bytes: r.response_bytes,
    proxy_overhead_ms: r.proxy_overhead_ms,
    prompt: c?.prompt ? (JSON.parse(c.prompt) as PromptInfo) : null,
    response,
    options: r.options ? (JSON.parse(r.options) as GenerationOptions) : null,
    timings: {
      total_duration_ns: r.total_duration_ns,
      load_duration_ns: r.load_duration_ns,
      prompt_eval_count: r.prompt_eval_count,
      prompt_eval_duration_ns: r.prompt_eval_duration_ns,
      eval_count: r.eval_count,
      eval_duration_ns: r.eval_duration_ns,
    },
    done_reason: r.done_reason,
    token_source: r.token_source,
    queue_ms: r.queue_ms,
    tokens_per_second: r.tokens_per_second,
    // The stored name is the one the client requested until the store keeps the canonical name apart.
    requested_model: r.model,
    chunks: decodeChunks(c?.chunks ?? null, response?.content),
    capture_content: r.capture_content === 1,
    redacted: r.redacted === 1,
  };
}
