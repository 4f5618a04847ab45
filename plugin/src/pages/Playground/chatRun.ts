import type { ChatStreamLine } from '@ollama-lens/contracts';

/** One playground answer as it streams: the text so far and the timings shown live. */
export interface ChatRun {
  model: string;
  /** The user's message this run answers. */
  prompt: string;
  text: string;
  /** ms (performance clock) when the request was sent. */
  startedAt: number;
  /** When the first chunk with content arrived: TTFT is measured to it. */
  firstTokenAt?: number;
  lastTokenAt?: number;
  /** Chunks with content: Ollama streams one token per chunk, so this counts tokens until its own count comes. */
  chunks: number;
  done: boolean;
  doneReason?: string;
  /** Ollama's own counters from the last line (durations in ns). */
  evalCount?: number;
  evalDurationNs?: number;
  promptEvalCount?: number;
  stopped: boolean;
  error?: string;
  /** The sidecar's id of the stored message (a response header). */
  messageId?: string;
}

export function startRun(model: string, now: number, prompt = ''): ChatRun {
  return { model, prompt, text: '', startedAt: now, chunks: 0, done: false, stopped: false };
}

/** The next state after one stream line arrived at `now`. */
export function applyChatLine(run: ChatRun, line: ChatStreamLine, now: number): ChatRun {
  if (line.error !== undefined) {
    return { ...run, error: line.error };
  }
  const content = line.message?.content ?? '';
  const next: ChatRun = { ...run, text: run.text + content };
  if (content !== '') {
    next.chunks = run.chunks + 1;
    next.firstTokenAt = run.firstTokenAt ?? now;
    next.lastTokenAt = now;
  }
  if (line.done) {
    next.done = true;
    next.doneReason = line.done_reason;
    next.evalCount = line.eval_count;
    next.evalDurationNs = line.eval_duration;
    next.promptEvalCount = line.prompt_eval_count;
  }
  return next;
}

/** Time to first token in ms, as the person saw it (request sent → first content), or null before it. */
export function ttftMs(run: ChatRun): number | null {
  return run.firstTokenAt === undefined ? null : run.firstTokenAt - run.startedAt;
}

/**
 * Tokens per second: Ollama's own figure (eval_count over eval_duration) once the answer is done; while it
 * streams, the chunks after the first over the time since the first (the first token's wait is TTFT's).
 */
export function tokensPerSecond(run: ChatRun, now: number): number | null {
  if (run.done && run.evalCount !== undefined && run.evalDurationNs) {
    return run.evalCount / (run.evalDurationNs / 1e9);
  }
  if (run.firstTokenAt === undefined || run.chunks < 2) {
    return null;
  }
  const end = run.done || run.stopped ? (run.lastTokenAt ?? now) : now;
  const seconds = (end - run.firstTokenAt) / 1000;
  return seconds > 0 ? (run.chunks - 1) / seconds : null;
}
