import type {
  ApiFlavor,
  Endpoint,
  GenerationOptions,
  PromptInfo,
  PromptMessage,
  ToolCall,
} from '../tap/record';
import type { NativeMessage, NativeToolCall, OpenAIToolCallDelta } from './types';

/** What the tap learns from a request body. */
export interface ParsedRequest {
  model?: string;
  /** Whether the client asked for a stream (native default: true; /v1 default: false). */
  stream?: boolean;
  prompt?: PromptInfo;
  options?: GenerationOptions;
  /** /v1 streams carry usage only when the client asked for it. */
  includeUsage?: boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Tool-call arguments as JSON text: Ollama sends an object, OpenAI a string. */
export function argumentsText(args: unknown): string {
  if (typeof args === 'string') return args;
  if (args === undefined) return '';
  return JSON.stringify(args);
}

export function nativeToolCalls(calls: NativeToolCall[] | undefined): ToolCall[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((c) => ({
    ...(c.id ? { id: c.id } : {}),
    name: c.function?.name ?? '',
    arguments: argumentsText(c.function?.arguments),
  }));
}

export function openaiToolCalls(calls: OpenAIToolCallDelta[] | undefined): ToolCall[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((c) => ({
    ...(c.id ? { id: c.id } : {}),
    name: c.function?.name ?? '',
    arguments: c.function?.arguments ?? '',
  }));
}

/** OpenAI message content may be a string or an array of parts; keep the text, count the images. */
function openaiContent(content: unknown): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: '', images: 0 };
  let text = '';
  let images = 0;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') text += (text ? '\n' : '') + part.text;
    else if (part.type === 'image_url') images++;
  }
  return { text, images };
}

function nativeMessages(messages: unknown): PromptMessage[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  return messages.filter(isObject).map((raw) => {
    const m = raw as NativeMessage;
    const out: PromptMessage = { role: str(m.role) ?? '', content: str(m.content) ?? '' };
    if (Array.isArray(m.images) && m.images.length) out.images = m.images.length;
    if (m.thinking) out.thinking = m.thinking;
    const calls = nativeToolCalls(m.tool_calls);
    if (calls) out.tool_calls = calls;
    if (m.tool_name) out.tool_name = m.tool_name;
    return out;
  });
}

function openaiMessages(messages: unknown): PromptMessage[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  return messages.filter(isObject).map((m) => {
    const { text, images } = openaiContent(m.content);
    const out: PromptMessage = { role: str(m.role) ?? '', content: text };
    if (images) out.images = images;
    const calls = openaiToolCalls(m.tool_calls as OpenAIToolCallDelta[] | undefined);
    if (calls) out.tool_calls = calls;
    if (typeof m.name === 'string') out.tool_name = m.name;
    return out;
  });
}

function toolNames(tools: unknown): string[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools
    .filter(isObject)
    .map((t) => (isObject(t.function) ? (str(t.function.name) ?? '') : (str(t.name) ?? '')));
}

const KNOWN_OPTIONS = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'num_predict',
  'num_ctx',
  'seed',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
] as const;

export function nativeOptions(body: Json): GenerationOptions | undefined {
  const opts: GenerationOptions = {};
  const extra: Record<string, unknown> = {};
  if (isObject(body.options)) {
    for (const [k, v] of Object.entries(body.options)) {
      if ((KNOWN_OPTIONS as readonly string[]).includes(k) && num(v) !== undefined)
        (opts as Record<string, unknown>)[k] = v;
      else if (k === 'stop' && Array.isArray(v))
        opts.stop = v.filter((s): s is string => typeof s === 'string');
      else extra[k] = v;
    }
  }
  if (typeof body.keep_alive === 'string' || typeof body.keep_alive === 'number')
    opts.keep_alive = body.keep_alive;
  if (Object.keys(extra).length) opts.extra = extra;
  return Object.keys(opts).length ? opts : undefined;
}

export function openaiOptions(body: Json): GenerationOptions | undefined {
  const opts: GenerationOptions = {};
  const set = (k: keyof GenerationOptions, v: unknown) => {
    if (num(v) !== undefined) (opts as Record<string, unknown>)[k] = v;
  };
  set('temperature', body.temperature);
  set('top_p', body.top_p);
  set('seed', body.seed);
  set('presence_penalty', body.presence_penalty);
  set('frequency_penalty', body.frequency_penalty);
  set('num_predict', body.max_completion_tokens ?? body.max_tokens);
  if (typeof body.stop === 'string') opts.stop = [body.stop];
  else if (Array.isArray(body.stop)) opts.stop = body.stop.filter((s): s is string => typeof s === 'string');
  return Object.keys(opts).length ? opts : undefined;
}

function formatText(format: unknown): string | undefined {
  if (format === undefined || format === null || format === '') return undefined;
  return typeof format === 'string' ? format : 'json_schema';
}

/**
 * Reads what matters from a request body. Never throws: a body that is not JSON (Ollama will answer 400)
 * yields an empty result, and the model may still come from the path (/v1/models/:model).
 */
export function parseRequest(
  endpoint: Endpoint,
  flavor: ApiFlavor,
  path: string,
  bodyText: string
): ParsedRequest {
  if (endpoint === '/v1/models' && path.startsWith('/v1/models/')) {
    return { model: decodeURIComponent(path.slice('/v1/models/'.length)) };
  }
  if (!bodyText) return {};
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return {};
  }
  if (!isObject(body)) return {};
  // A copy names no model but its source and destination: the model it is about is the new one.
  const model =
    str(body.model) ?? str(body.name) ?? (endpoint === '/api/copy' ? str(body.destination) : undefined);
  const streamFlag = typeof body.stream === 'boolean' ? body.stream : undefined;

  if (flavor === 'openai') {
    const out: ParsedRequest = { model, stream: streamFlag ?? false, options: openaiOptions(body) };
    if (isObject(body.stream_options) && body.stream_options.include_usage === true) out.includeUsage = true;
    if (endpoint === '/v1/chat/completions') {
      out.prompt = {
        messages: openaiMessages(body.messages),
        tools: toolNames(body.tools),
        format: formatText(isObject(body.response_format) ? body.response_format.type : undefined),
      };
    } else if (endpoint === '/v1/completions') {
      const p = Array.isArray(body.prompt)
        ? body.prompt.filter((x): x is string => typeof x === 'string').join('\n')
        : str(body.prompt);
      out.prompt = { prompt: p, suffix: str(body.suffix) };
    } else if (endpoint === '/v1/embeddings') {
      out.prompt = embedInputs(body.input);
    }
    return strip(out);
  }

  const out: ParsedRequest = { model, stream: streamFlag ?? true, options: nativeOptions(body) };
  switch (endpoint) {
    case '/api/generate':
      out.prompt = {
        prompt: str(body.prompt),
        system: str(body.system),
        suffix: str(body.suffix),
        images: Array.isArray(body.images) && body.images.length ? body.images.length : undefined,
        format: formatText(body.format),
        think: typeof body.think === 'boolean' || typeof body.think === 'string' ? body.think : undefined,
        raw: typeof body.raw === 'boolean' ? body.raw : undefined,
      };
      break;
    case '/api/chat':
      out.prompt = {
        messages: nativeMessages(body.messages),
        tools: toolNames(body.tools),
        format: formatText(body.format),
        think: typeof body.think === 'boolean' || typeof body.think === 'string' ? body.think : undefined,
      };
      break;
    case '/api/embed':
      out.stream = false;
      out.prompt = embedInputs(body.input);
      break;
    case '/api/embeddings':
      out.stream = false;
      out.prompt = { prompt: str(body.prompt), inputs: 1 };
      break;
    default:
      out.prompt = undefined;
  }
  return strip(out);
}

function embedInputs(input: unknown): PromptInfo {
  if (typeof input === 'string') return { prompt: input, inputs: 1 };
  if (Array.isArray(input)) {
    const texts = input.filter((x): x is string => typeof x === 'string');
    return { prompt: texts.join('\n'), inputs: input.length };
  }
  return { inputs: 0 };
}

/** Drops undefined keys so records stay small and stable for storage and tests. */
function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) {
    const v = o[k];
    if (v === undefined) delete o[k];
    else if (isObject(v)) strip(v as object);
  }
  return o;
}
export { strip as stripUndefined };
