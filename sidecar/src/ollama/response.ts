import type { ApiFlavor, Endpoint, OllamaTimings, ToolCall } from '../tap/record';
import { argumentsText, nativeToolCalls } from './request';
import type { NativeFrame, OpenAIFrame, OpenAIToolCallDelta } from './types';

/** What the tap learns from a response, streamed or not. */
export interface ResponseSummary {
  model?: string;
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
  embeddings?: number;
  /** A final frame arrived (native done:true, /v1 finish_reason or [DONE]). */
  done: boolean;
  doneReason?: string;
  timings?: OllamaTimings;
  /** Token counts from a /v1 usage object. */
  usage?: { input?: number; output?: number };
  /** An error carried in the body (a JSON error answer or an error line inside a stream). */
  error?: string;
  frames: number;
}

/**
 * Folds the frames of one response into a summary. `add` returns the text each frame contributed
 * (answer and thinking), which the tap attributes to the network chunk it came in.
 */
export class ResponseAccumulator {
  private readonly s: ResponseSummary = { content: '', thinking: '', toolCalls: [], done: false, frames: 0 };
  /** /v1 streams send tool calls in pieces keyed by index. */
  private readonly openaiCalls = new Map<number, { id?: string; name: string; arguments: string }>();

  constructor(
    private readonly flavor: ApiFlavor,
    private readonly endpoint: Endpoint
  ) {}

  add(frame: object): string {
    this.s.frames++;
    return this.flavor === 'openai'
      ? this.addOpenAI(frame as OpenAIFrame)
      : this.addNative(frame as NativeFrame);
  }

  /** Frames of a body that is not JSON (a 404 text page, say) leave only the error. */
  addText(text: string, httpStatus: number): void {
    if (httpStatus >= 400 && text.trim()) this.s.error = text.trim().slice(0, 2000);
  }

  result(): ResponseSummary {
    if (this.openaiCalls.size) {
      this.s.toolCalls = [...this.openaiCalls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, c]) => ({ ...(c.id ? { id: c.id } : {}), name: c.name, arguments: c.arguments }));
    }
    return this.s;
  }

  markDone(): void {
    this.s.done = true;
  }

  private addNative(f: NativeFrame): string {
    const s = this.s;
    if (f.model && !s.model) s.model = f.model;
    if (typeof f.error === 'string') {
      s.error = f.error;
      return '';
    }
    let delta = '';
    if (typeof f.response === 'string') {
      s.content += f.response;
      delta += f.response;
    }
    if (typeof f.thinking === 'string') {
      s.thinking += f.thinking;
      delta += f.thinking;
    }
    if (f.message) {
      if (typeof f.message.content === 'string') {
        s.content += f.message.content;
        delta += f.message.content;
      }
      if (typeof f.message.thinking === 'string') {
        s.thinking += f.message.thinking;
        delta += f.message.thinking;
      }
      const calls = nativeToolCalls(f.message.tool_calls);
      if (calls) {
        s.toolCalls.push(...calls);
        delta += calls.map((c) => c.name).join('');
      }
    }
    const topCalls = nativeToolCalls(f.tool_calls);
    if (topCalls) s.toolCalls.push(...topCalls);
    if (Array.isArray(f.embeddings)) s.embeddings = f.embeddings.length;
    if (Array.isArray(f.embedding)) s.embeddings = 1;
    const hasTimings =
      f.total_duration !== undefined ||
      f.load_duration !== undefined ||
      f.prompt_eval_count !== undefined ||
      f.eval_count !== undefined;
    if (f.done === true || hasTimings) {
      if (f.done === true) s.done = true;
      if (f.done_reason) s.doneReason = f.done_reason;
      if (hasTimings) {
        s.timings = {
          total_duration_ns: f.total_duration,
          load_duration_ns: f.load_duration,
          prompt_eval_count: f.prompt_eval_count,
          prompt_eval_duration_ns: f.prompt_eval_duration,
          eval_count: f.eval_count,
          eval_duration_ns: f.eval_duration,
        };
      }
    }
    // Non-streamed embeddings and management answers end with their single document.
    if (this.endpoint === '/api/embed' || this.endpoint === '/api/embeddings') s.done = true;
    if (f.status === 'success') s.done = true;
    return delta;
  }

  private addOpenAI(f: OpenAIFrame): string {
    const s = this.s;
    if (f.model && !s.model) s.model = f.model;
    if (f.error) {
      s.error = typeof f.error === 'string' ? f.error : (f.error.message ?? JSON.stringify(f.error));
      return '';
    }
    if (f.usage) {
      // /v1/completions streams send a zero usage on every chunk and the real one last: keep the last.
      s.usage = { input: f.usage.prompt_tokens, output: f.usage.completion_tokens };
    }
    if (Array.isArray(f.data)) {
      s.embeddings = f.data.length;
      s.done = true;
    }
    let delta = '';
    for (const c of f.choices ?? []) {
      if ((c.index ?? 0) !== 0) continue;
      const part = c.delta ?? c.message;
      if (part) {
        if (typeof part.content === 'string') {
          s.content += part.content;
          delta += part.content;
        }
        if (typeof part.reasoning === 'string') {
          s.thinking += part.reasoning;
          delta += part.reasoning;
        }
        if (part.tool_calls) this.mergeCalls(part.tool_calls);
      }
      if (typeof c.text === 'string') {
        s.content += c.text;
        delta += c.text;
      }
      if (c.finish_reason) {
        s.doneReason = c.finish_reason;
        s.done = true;
      }
    }
    if (f.object === 'chat.completion' || f.object === 'text_completion')
      s.done = s.done || (f.choices?.length ?? 0) > 0;
    return delta;
  }

  private mergeCalls(calls: OpenAIToolCallDelta[]): void {
    calls.forEach((c, i) => {
      const idx = c.index ?? i;
      const cur = this.openaiCalls.get(idx) ?? { name: '', arguments: '' };
      if (c.id) cur.id = c.id;
      if (c.function?.name) cur.name += c.function.name;
      if (c.function?.arguments !== undefined) cur.arguments += argumentsText(c.function.arguments);
      this.openaiCalls.set(idx, cur);
    });
  }
}
