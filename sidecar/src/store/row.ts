import type {
  ChunkTiming,
  GenerationOptions,
  MeasurementRecord,
  PromptInfo,
  ResponseInfo,
} from '../tap/record';
import { classify, instructionText } from './classify';
import {
  CONTENT_COLUMNS,
  MESSAGE_COLUMNS,
  type ContentColumn,
  type ContentRow,
  type MessageColumn,
  type MessageRow,
  type SummaryRow,
  type Values,
} from './columns';
import type { Redactor } from './redact';
import type { Category, Message, MessageSummary, StoredChunk } from '@ollama-lens/contracts';

/**
 * Record → row (on the write path: redaction, classification) and row → API objects (on the read
 * path). The columns come from columns.ts; the values derived from the exchange (canonical model,
 * queue estimate, tokens/s, cost) come from the record, computed once by the tap (tap/derive.ts).
 */

export { CONTENT_COLUMNS, MESSAGE_COLUMNS, type ContentRow, type MessageRow, type SummaryRow };

export const PREVIEW_CHARS = 200;

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
  /** This sidecar's instance name (--instance), stored with each message; absent: null. */
  host?: string;
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

  // Typed by the column table: a column missing here, or one too many, does not compile.
  const values: Values<MessageColumn> = {
    id: r.id,
    started_at: r.started_at,
    ended_at: r.ended_at,
    duration_ms: r.duration_ms,
    ttft_ms: n(r.ttft_ms),
    ttfb_ms: n(r.ttfb_ms),
    method: r.method,
    path: mapper ? mapper.text(r.path) : r.path,
    endpoint: r.endpoint,
    flavor: r.flavor,
    model: text(r.model),
    user: text(r.user),
    session: text(r.session),
    client_address: n(r.client_address),
    user_agent: text(r.user_agent),
    stream: r.stream ? 1 : 0,
    status: r.status,
    http_status: r.http_status,
    error_type: n(r.error_type),
    error_message: text(r.error_message),
    request_bytes: r.request_bytes,
    response_bytes: r.response_bytes,
    category,
    input_tokens: n(r.input_tokens),
    output_tokens: n(r.output_tokens),
    token_source: r.token_source,
    cost: n(r.cost),
    total_duration_ns: n(t.total_duration_ns),
    load_duration_ns: n(t.load_duration_ns),
    prompt_eval_count: n(t.prompt_eval_count),
    prompt_eval_duration_ns: n(t.prompt_eval_duration_ns),
    eval_count: n(t.eval_count),
    eval_duration_ns: n(t.eval_duration_ns),
    queue_ms: n(r.queue_ms),
    tokens_per_second: n(r.tokens_per_second),
    done_reason: text(r.done_reason),
    proxy_overhead_ms: n(r.proxy_overhead_ms),
    options: options && Object.keys(options).length > 0 ? JSON.stringify(options) : null,
    capture_content: capture ? 1 : 0,
    // Counted last: every text above has been through the redactor by now.
    redacted: 0,
    requested_model: text(r.requested_model),
    input_cost: n(r.input_cost),
    output_cost: n(r.output_cost),
    host: opts.host ?? null,
    origin: n(r.origin),
  };
  if (mapper && mapper.count > 0) values.redacted = 1;
  const message = MESSAGE_COLUMNS.map((c) => values[c]);

  if (capture) {
    const pText = promptText(prompt);
    const rText = responseText(response);
    const content: Values<ContentColumn> = {
      prompt_preview: preview(instructionText(prompt)),
      prompt: prompt ? JSON.stringify(prompt) : null,
      response: response ? JSON.stringify(response) : null,
      chunks: encodeChunks(chunks, response?.content, true),
    };
    return {
      message,
      content: CONTENT_COLUMNS.map((c) => content[c]),
      fts: pText || rText ? [pText, rText] : null,
    };
  }
  // Metadata only: the chunk timings survive (they are not text), nothing else of the content does.
  const content: Values<ContentColumn> = {
    prompt_preview: null,
    prompt: null,
    response: null,
    chunks: encodeChunks(chunks, undefined, false),
  };
  return { message, content: CONTENT_COLUMNS.map((c) => content[c]), fts: null };
}

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
    host: r.host,
    origin: r.origin,
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
    host: r.host,
    origin: r.origin,
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
    requested_model: r.requested_model,
    input_cost: r.input_cost,
    output_cost: r.output_cost,
    chunks: decodeChunks(c?.chunks ?? null, response?.content),
    capture_content: r.capture_content === 1,
    redacted: r.redacted === 1,
  };
}
