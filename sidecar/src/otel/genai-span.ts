/**
 * One request as a span of the OpenTelemetry GenAI semantic conventions (client spans of an inference
 * call): the name, the attributes and the outcome, as plain data. A pure function, so the mapping is
 * tested without an exporter; the export thread turns the result into an SDK span.
 */
import type { Endpoint, PromptMessage, ToolCall } from '../tap/record';
import type { SpanInput } from './span-input';

export type AttributeValue = string | number | boolean | string[];
export type SpanAttributes = Record<string, AttributeValue>;

export interface SpanDescription {
  name: string;
  attributes: SpanAttributes;
  /** Set when the request failed: the span's status is ERROR with this description. */
  error?: string;
}

export interface DescribeOptions {
  /** The Ollama server the request went to (`server.address` / `server.port`). */
  server: { address: string; port: number };
  /** Attach the conventions' opt-in content attributes (the input has text only when allowed). */
  captureContent: boolean;
  /** Applied to every text before it is attached (--redact). */
  redact?: (text: string) => string;
}

/** `gen_ai.operation.name` of the endpoints that call a model; other endpoints get a plain HTTP span. */
export const GENAI_OPERATIONS: Partial<Record<Endpoint, string>> = {
  '/api/chat': 'chat',
  '/v1/chat/completions': 'chat',
  '/api/generate': 'text_completion',
  '/v1/completions': 'text_completion',
  '/api/embed': 'embeddings',
  '/api/embeddings': 'embeddings',
  '/v1/embeddings': 'embeddings',
};

/** Our own attributes live under one namespace, so they never collide with a convention's. */
export const REQUEST_ID_ATTRIBUTE = 'ollama_lens.request_id';

export function describeSpan(input: SpanInput, opts: DescribeOptions): SpanDescription {
  const a: SpanAttributes = {};
  const operation = GENAI_OPERATIONS[input.endpoint];
  let name: string;
  if (operation) {
    // The conventions name the span after the model as requested; the response model is the one
    // that answered, by its canonical name (`tiny` ran as `tiny:latest`): the name the metrics and
    // the Explorer use. Only an answer has a response model.
    const requested = input.requested_model ?? input.model;
    name = requested ? `${operation} ${requested}` : operation;
    a['gen_ai.operation.name'] = operation;
    a['gen_ai.provider.name'] = 'ollama';
    if (requested) a['gen_ai.request.model'] = requested;
    if (input.model && input.status === 'success') a['gen_ai.response.model'] = input.model;
    requestParameters(a, input);
    if (input.input_tokens !== undefined) a['gen_ai.usage.input_tokens'] = input.input_tokens;
    if (input.output_tokens !== undefined) a['gen_ai.usage.output_tokens'] = input.output_tokens;
    if (input.done_reason) a['gen_ai.response.finish_reasons'] = [input.done_reason];
    if (input.session) a['gen_ai.conversation.id'] = input.session;
    if (opts.captureContent) content(a, input, opts.redact ?? ((t) => t));
  } else {
    // Not a model call (tags, show, pull, …): an HTTP client span named after the route.
    name = input.endpoint === 'other' ? input.method : `${input.method} ${input.endpoint}`;
  }
  a['server.address'] = opts.server.address;
  a['server.port'] = opts.server.port;
  a['http.request.method'] = input.method;
  a['url.path'] = input.path;
  if (input.http_status > 0) a['http.response.status_code'] = input.http_status;
  a[REQUEST_ID_ATTRIBUTE] = input.id;
  a['ollama_lens.stream'] = input.stream;
  if (input.ttft_ms !== undefined) a['ollama_lens.time_to_first_token_ms'] = input.ttft_ms;

  const out: SpanDescription = { name, attributes: a };
  if (input.status !== 'success') {
    // The record's bounded error kinds; an answer with an error status and no kind gets its code.
    a['error.type'] = input.error_type ?? (input.http_status >= 400 ? String(input.http_status) : '_OTHER');
    out.error = input.error_message ?? input.status;
  }
  return out;
}

function requestParameters(a: SpanAttributes, input: SpanInput): void {
  const o = input.options;
  if (!o) return;
  if (o.temperature !== undefined) a['gen_ai.request.temperature'] = o.temperature;
  if (o.top_p !== undefined) a['gen_ai.request.top_p'] = o.top_p;
  if (o.top_k !== undefined) a['gen_ai.request.top_k'] = o.top_k;
  if (o.num_predict !== undefined) a['gen_ai.request.max_tokens'] = o.num_predict;
  if (o.seed !== undefined) a['gen_ai.request.seed'] = o.seed;
  if (o.presence_penalty !== undefined) a['gen_ai.request.presence_penalty'] = o.presence_penalty;
  if (o.frequency_penalty !== undefined) a['gen_ai.request.frequency_penalty'] = o.frequency_penalty;
  if (o.stop && o.stop.length > 0) a['gen_ai.request.stop_sequences'] = o.stop;
}

/** A message part of the conventions' JSON schema for input and output messages. */
type Part =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id?: string; response: string };

interface ChatMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

function toolCallParts(calls: readonly ToolCall[] | undefined, redact: (t: string) => string): Part[] {
  return (calls ?? []).map((c) => ({
    type: 'tool_call' as const,
    ...(c.id ? { id: c.id } : {}),
    name: c.name,
    arguments: jsonOrText(redact(c.arguments)),
  }));
}

/** Tool arguments are kept as JSON text; the schema wants the value itself when it is JSON. */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function inputMessage(m: PromptMessage, redact: (t: string) => string): ChatMessage {
  if (m.role === 'tool')
    return { role: 'tool', parts: [{ type: 'tool_call_response', response: redact(m.content) }] };
  const parts: Part[] = [];
  if (m.thinking) parts.push({ type: 'reasoning', content: redact(m.thinking) });
  if (m.content) parts.push({ type: 'text', content: redact(m.content) });
  parts.push(...toolCallParts(m.tool_calls, redact));
  return { role: m.role, parts };
}

/** The opt-in content attributes: JSON text of the conventions' message schemas. */
function content(a: SpanAttributes, input: SpanInput, redact: (t: string) => string): void {
  const p = input.prompt;
  if (p) {
    if (p.system)
      a['gen_ai.system_instructions'] = JSON.stringify([{ type: 'text', content: redact(p.system) }]);
    const messages: ChatMessage[] = p.messages
      ? p.messages.map((m) => inputMessage(m, redact))
      : p.prompt !== undefined
        ? [{ role: 'user', parts: [{ type: 'text', content: redact(p.prompt) }] }]
        : [];
    if (messages.length > 0) a['gen_ai.input.messages'] = JSON.stringify(messages);
  }
  const r = input.response;
  // Embeddings answer with vectors, not a message.
  if (r && GENAI_OPERATIONS[input.endpoint] !== 'embeddings') {
    const parts: Part[] = [];
    if (r.thinking) parts.push({ type: 'reasoning', content: redact(r.thinking) });
    if (r.content) parts.push({ type: 'text', content: redact(r.content) });
    parts.push(...toolCallParts(r.tool_calls, redact));
    const out: ChatMessage = {
      role: 'assistant',
      parts,
      finish_reason: input.done_reason ?? (input.status === 'success' ? 'stop' : 'error'),
    };
    a['gen_ai.output.messages'] = JSON.stringify([out]);
  }
}
