/**
 * W3C Trace Context on the proxy's thread: the request's span ids are decided here when the request
 * starts, so the upstream request can carry them at once, while the span itself is built and exported
 * later in the export thread. Only cheap work happens here: one regex and a few bytes of a random pool.
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestTrace } from '../tap/record';

/** version-traceid-parentid-flags; a future version may append fields after a dash (W3C §4.3). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** W3C: vendors may truncate a tracestate beyond 512 characters; a longer one is not passed into spans. */
const MAX_TRACESTATE = 512;

export interface ParentContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** Parses a `traceparent` header value; undefined when it is absent or invalid (a new trace starts). */
export function parseTraceparent(value: string | undefined): ParentContext | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  // Version ff is forbidden; version 00 has exactly four fields.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/**
 * Random ids from a pool filled in one call, so a request costs a slice of a buffer rather than a
 * call into the CSPRNG each. Ids are not secrets; they only need to be unique.
 */
class RandomPool {
  private readonly pool = Buffer.allocUnsafe(4096);
  private offset = this.pool.length;

  hex(bytes: number, zero: string): string {
    for (;;) {
      if (this.offset + bytes > this.pool.length) {
        randomFillSync(this.pool);
        this.offset = 0;
      }
      const id = this.pool.toString('hex', this.offset, this.offset + bytes);
      this.offset += bytes;
      if (id !== zero) return id;
    }
  }
}

const random = new RandomPool();

export function newSpanId(): string {
  return random.hex(8, ZERO_SPAN);
}

export function newTraceId(): string {
  return random.hex(16, ZERO_TRACE);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The trace of one request: the incoming `traceparent` continued (its span becomes our parent, its
 * sampling decision kept), or a new sampled trace.
 */
export function continueTrace(headers: IncomingHttpHeaders): RequestTrace {
  const parent = parseTraceparent(first(headers.traceparent));
  if (!parent) return { trace_id: newTraceId(), span_id: newSpanId(), sampled: true };
  const trace: RequestTrace = {
    trace_id: parent.traceId,
    span_id: newSpanId(),
    parent_span_id: parent.spanId,
    sampled: parent.sampled,
  };
  // Multiple tracestate headers are one list (RFC 9110 field combination).
  const raw = headers.tracestate;
  const state = Array.isArray(raw) ? raw.join(',') : raw;
  if (state && state.length <= MAX_TRACESTATE) trace.trace_state = state;
  return trace;
}

/** The `traceparent` the upstream request carries: the same trace, the sidecar's span as the parent. */
export function traceparentOf(trace: RequestTrace): string {
  return `00-${trace.trace_id}-${trace.span_id}-${trace.sampled ? '01' : '00'}`;
}
