import { performance } from 'node:perf_hooks';
import { INFERENCE_ENDPOINTS } from '../ollama/endpoint';
import { FrameSplitter, parseFrame, streamKindOf, type StreamKind } from '../ollama/frames';
import { parseRequest, stripUndefined, type ParsedRequest } from '../ollama/request';
import { ResponseAccumulator, type ResponseSummary } from '../ollama/response';
import type { PriceTable } from '../config';
import type { Origin } from '@ollama-lens/contracts';
import { canonicalModelName } from '../metrics/labels';
import { measurementRecord } from './derive';
import type {
  ApiFlavor,
  ChunkTiming,
  Endpoint,
  ErrorType,
  MeasurementRecord,
  ObservedExchange,
  RequestStartInfo,
  RequestStatus,
} from './record';

/** How the exchange ended, as the proxy saw it. */
export type Outcome =
  | { kind: 'complete' }
  | { kind: 'client_abort' }
  | { kind: 'timeout'; message: string; httpStatus?: number }
  | { kind: 'upstream_unreachable'; message: string; httpStatus: number }
  | { kind: 'upstream_broken'; message: string }
  | { kind: 'rejected'; message: string; httpStatus: number };

export interface ExchangeInit {
  id: string;
  method: string;
  path: string;
  endpoint: Endpoint;
  flavor: ApiFlavor;
  user?: string;
  session?: string;
  clientAddress?: string;
  userAgent?: string;
  /** Set when the product itself sent the request (x-ollama-lens-origin), e.g. the status line. */
  origin?: Origin;
  captureContent: boolean;
  captureLimitBytes: number;
  /** For the shadow cost derived with the record (--prices). */
  prices: PriceTable;
}

/** Chunks kept for the stream replay; a longer stream keeps its first ones and counts the rest. */
const MAX_CHUNK_TIMINGS = 5000;

/**
 * Observes one request/response exchange without touching it. The hot path (chunk arrival) only
 * records a timestamp and keeps a reference to the buffer; all parsing happens in `finish`, after the
 * last byte has been forwarded.
 */
export class Exchange {
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  private requestParts: Buffer[] = [];
  private requestBytes = 0;
  private requestOverflow = false;
  private parsedRequest: ParsedRequest = {};
  private responseStatus = 0;
  private responseContentType: string | undefined;
  private responseChunks: { t: number; buf: Buffer }[] = [];
  private responseBytes = 0;
  private capturedBytes = 0;
  private responseOverflow = false;
  private firstByteAt: number | undefined;
  private overheadMs = 0;

  constructor(readonly init: ExchangeInit) {}

  /** Milliseconds since the request arrived. */
  elapsed(): number {
    return performance.now() - this.t0;
  }

  onRequestChunk(chunk: Buffer): void {
    this.requestBytes += chunk.length;
    if (this.requestOverflow) return;
    if (this.requestBytes > this.init.captureLimitBytes) {
      this.requestOverflow = true;
      this.requestParts = [];
      return;
    }
    this.requestParts.push(chunk);
  }

  /** Called once the request body has been read (or at once when there is none). */
  requestComplete(): RequestStartInfo {
    if (!this.requestOverflow) {
      const text = this.requestParts.length ? Buffer.concat(this.requestParts).toString('utf8') : '';
      this.parsedRequest = parseRequest(this.init.endpoint, this.init.flavor, this.init.path, text);
    }
    this.requestParts = [];
    return {
      id: this.init.id,
      endpoint: this.init.endpoint,
      model: canonicalModelName(this.parsedRequest.model),
      started_at: this.startedAt,
    };
  }

  get model(): string | undefined {
    return this.parsedRequest.model;
  }

  onResponseHead(status: number, contentType: string | undefined): void {
    this.responseStatus = status;
    this.responseContentType = contentType;
  }

  /** The proxy's own time for this exchange (before dispatch + before forwarding the head). */
  addOverhead(ms: number): void {
    this.overheadMs += ms;
  }

  get overhead(): number {
    return this.overheadMs;
  }

  onResponseChunk(chunk: Buffer): void {
    const t = performance.now() - this.t0;
    if (this.firstByteAt === undefined) this.firstByteAt = t;
    this.responseBytes += chunk.length;
    if (this.capturedBytes + chunk.length > this.init.captureLimitBytes) {
      this.responseOverflow = true;
      if (this.responseChunks.length < MAX_CHUNK_TIMINGS)
        this.responseChunks.push({ t, buf: Buffer.alloc(0) });
      return;
    }
    this.capturedBytes += chunk.length;
    this.responseChunks.push({ t, buf: chunk });
  }

  finish(outcome: Outcome): MeasurementRecord {
    const endedMs = this.elapsed();
    const { endpoint, flavor } = this.init;
    const req = this.parsedRequest;
    const kind = streamKindOf(this.responseContentType);
    const { summary, chunks, ttft } = this.readResponse(kind);

    const isStreamed = kind !== undefined;
    const inference = INFERENCE_ENDPOINTS.has(endpoint);
    const httpStatus =
      outcome.kind === 'complete'
        ? this.responseStatus
        : 'httpStatus' in outcome && outcome.httpStatus
          ? outcome.httpStatus
          : this.responseStatus || 0;
    const { status, errorType, errorMessage } = classify(
      outcome,
      httpStatus,
      summary,
      isStreamed && inference,
      flavor
    );

    const timings = summary.timings ? stripUndefined({ ...summary.timings }) : undefined;
    let input_tokens: number | undefined;
    let output_tokens: number | undefined;
    let token_source: ObservedExchange['token_source'] = 'none';
    if (summary.usage && (summary.usage.input !== undefined || summary.usage.output !== undefined)) {
      input_tokens = summary.usage.input;
      output_tokens = summary.usage.output;
      token_source = 'openai_usage';
    } else if (timings && (timings.prompt_eval_count !== undefined || timings.eval_count !== undefined)) {
      input_tokens = timings.prompt_eval_count ?? 0;
      output_tokens = timings.eval_count ?? 0;
      token_source = 'ollama';
    }

    const observed: ObservedExchange = {
      id: this.init.id,
      method: this.init.method,
      path: this.init.path,
      endpoint,
      flavor,
      requested_model: req.model ?? summary.model,
      user: this.init.user,
      session: this.init.session,
      client_address: this.init.clientAddress,
      user_agent: this.init.userAgent,
      ...(this.init.origin ? { origin: this.init.origin } : {}),
      stream: isStreamed,
      started_at: this.startedAt,
      ttft_ms: ttft,
      ttfb_ms: this.firstByteAt === undefined ? undefined : round(this.firstByteAt),
      ended_at: Math.round(this.startedAt + endedMs),
      duration_ms: round(endedMs),
      status,
      http_status: httpStatus,
      error_type: errorType,
      error_message: errorMessage,
      request_bytes: this.requestBytes,
      response_bytes: this.responseBytes,
      prompt: req.prompt,
      response: inference || summary.content ? responseInfo(summary) : undefined,
      options: req.options,
      timings,
      done_reason: summary.doneReason,
      input_tokens,
      output_tokens,
      token_source,
      chunks: isStreamed ? chunks : undefined,
      capture_content: this.init.captureContent,
      proxy_overhead_ms: round(this.overheadMs),
    };
    if (this.requestOverflow || this.responseOverflow) observed.capture_truncated = true;
    this.responseChunks = [];
    return measurementRecord(stripUndefined(observed), this.init.prices);
  }

  private readResponse(kind: StreamKind | undefined): {
    summary: ResponseSummary;
    chunks: ChunkTiming[];
    ttft?: number;
  } {
    const acc = new ResponseAccumulator(this.init.flavor, this.init.endpoint);
    const chunks: ChunkTiming[] = [];
    let ttft: number | undefined;
    if (kind) {
      const splitter = new FrameSplitter(kind);
      for (const { t, buf } of this.responseChunks) {
        let text = '';
        for (const payload of splitter.push(buf)) {
          const frame = parseFrame<object>(payload);
          if (frame) text += acc.add(frame);
        }
        if (text && ttft === undefined) ttft = t;
        if (chunks.length < MAX_CHUNK_TIMINGS)
          chunks.push(
            text ? { t_ms: round(t), bytes: buf.length, text } : { t_ms: round(t), bytes: buf.length }
          );
      }
      for (const payload of splitter.end()) {
        const frame = parseFrame<object>(payload);
        if (frame) acc.add(frame);
      }
      if (splitter.sawDone) acc.markDone();
    } else if (this.responseChunks.length) {
      const text = Buffer.concat(this.responseChunks.map((c) => c.buf)).toString('utf8');
      const frame = parseFrame<object>(text);
      if (frame) acc.add(frame);
      else acc.addText(text, this.responseStatus);
    }
    return { summary: acc.result(), chunks, ttft: ttft === undefined ? undefined : round(ttft) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function responseInfo(s: ResponseSummary): ObservedExchange['response'] {
  return stripUndefined({
    content: s.content,
    thinking: s.thinking || undefined,
    tool_calls: s.toolCalls.length ? s.toolCalls : undefined,
    embeddings: s.embeddings,
  });
}

/** Decides the record's status and error type from what the proxy saw. */
export function classify(
  outcome: Outcome,
  httpStatus: number,
  summary: Pick<ResponseSummary, 'error' | 'done'>,
  expectFinalFrame: boolean,
  _flavor: ApiFlavor
): { status: RequestStatus; errorType?: ErrorType; errorMessage?: string } {
  switch (outcome.kind) {
    case 'client_abort':
      return {
        status: 'cancelled',
        errorType: 'cancelled',
        errorMessage: 'client closed the connection before the response was complete',
      };
    case 'timeout':
      return { status: 'timeout', errorType: 'timeout', errorMessage: outcome.message };
    case 'upstream_unreachable':
      return { status: 'error', errorType: 'upstream_unreachable', errorMessage: outcome.message };
    case 'upstream_broken':
      return { status: 'error', errorType: 'stream_error', errorMessage: summary.error ?? outcome.message };
    case 'rejected':
      return { status: 'error', errorType: 'bad_request', errorMessage: outcome.message };
    case 'complete':
      break;
  }
  if (httpStatus >= 400) {
    const msg = summary.error ?? `HTTP ${httpStatus}`;
    if (httpStatus === 499) return { status: 'cancelled', errorType: 'cancelled', errorMessage: msg };
    if (httpStatus === 404 && /not found/i.test(msg) && /model/i.test(msg))
      return { status: 'error', errorType: 'model_not_found', errorMessage: msg };
    if (httpStatus < 500) return { status: 'error', errorType: 'bad_request', errorMessage: msg };
    return { status: 'error', errorType: 'upstream_error', errorMessage: msg };
  }
  if (summary.error) return { status: 'error', errorType: 'stream_error', errorMessage: summary.error };
  if (expectFinalFrame && !summary.done) {
    return {
      status: 'error',
      errorType: 'stream_error',
      errorMessage: 'the stream ended without a final frame',
    };
  }
  return { status: 'success' };
}
