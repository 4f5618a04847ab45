/**
 * What the export thread needs of a measurement record, picked on the proxy's thread so the copy
 * handed over stays small: no stream chunks, and no text unless content capture for spans is on.
 */
import type { MeasurementRecord } from '../tap/record';

export type SpanInput = Pick<
  MeasurementRecord,
  | 'id'
  | 'method'
  | 'path'
  | 'endpoint'
  | 'model'
  | 'requested_model'
  | 'session'
  | 'stream'
  | 'started_at'
  | 'ended_at'
  | 'ttft_ms'
  | 'status'
  | 'http_status'
  | 'error_type'
  | 'error_message'
  | 'options'
  | 'done_reason'
  | 'input_tokens'
  | 'output_tokens'
  | 'timings'
  | 'trace'
> &
  Partial<Pick<MeasurementRecord, 'prompt' | 'response'>>;

export function toSpanInput(r: MeasurementRecord, captureContent: boolean): SpanInput {
  const input: SpanInput = {
    id: r.id,
    method: r.method,
    path: r.path,
    endpoint: r.endpoint,
    model: r.model,
    requested_model: r.requested_model,
    session: r.session,
    stream: r.stream,
    started_at: r.started_at,
    ended_at: r.ended_at,
    ttft_ms: r.ttft_ms,
    status: r.status,
    http_status: r.http_status,
    error_type: r.error_type,
    error_message: r.error_message,
    options: r.options,
    done_reason: r.done_reason,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    timings: r.timings,
    trace: r.trace,
  };
  // The client's no-capture header (capture_content false) wins over the option.
  if (captureContent && r.capture_content) {
    input.prompt = r.prompt;
    input.response = r.response;
  }
  return input;
}
