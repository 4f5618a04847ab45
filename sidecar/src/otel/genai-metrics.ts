/**
 * The GenAI semantic conventions' metrics, recorded per request in the export thread:
 * gen_ai.client.token.usage and gen_ai.client.operation.duration (the sidecar is the client of
 * Ollama's API), and gen_ai.server.time_to_first_token and gen_ai.server.time_per_output_token (what
 * the model server did, from the first output chunk and Ollama's own generation timing).
 */
import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import { GENAI_OPERATIONS } from './genai-span';
import type { SpanInput } from './span-input';

/** The bucket boundaries the conventions recommend for each instrument. */
export const GENAI_BUCKETS = {
  tokens: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
  duration: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
  timeToFirstToken: [
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
  ],
  timePerOutputToken: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5],
} as const;

export class GenAiMetrics {
  private readonly tokenUsage: Histogram;
  private readonly duration: Histogram;
  private readonly timeToFirstToken: Histogram;
  private readonly timePerOutputToken: Histogram;

  constructor(
    meter: Meter,
    private readonly server: { address: string; port: number }
  ) {
    const histogram = (name: string, unit: string, description: string, buckets: readonly number[]) =>
      meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: [...buckets] } });
    this.tokenUsage = histogram(
      'gen_ai.client.token.usage',
      '{token}',
      'Number of input and output tokens used.',
      GENAI_BUCKETS.tokens
    );
    this.duration = histogram(
      'gen_ai.client.operation.duration',
      's',
      'GenAI operation duration.',
      GENAI_BUCKETS.duration
    );
    this.timeToFirstToken = histogram(
      'gen_ai.server.time_to_first_token',
      's',
      'Time to generate the first token, for streamed requests.',
      GENAI_BUCKETS.timeToFirstToken
    );
    this.timePerOutputToken = histogram(
      'gen_ai.server.time_per_output_token',
      's',
      "Time per output token generated after the first one, from Ollama's generation timing.",
      GENAI_BUCKETS.timePerOutputToken
    );
  }

  /** Records one request; requests that do not call a model have no GenAI metrics. */
  record(input: SpanInput): void {
    const operation = GENAI_OPERATIONS[input.endpoint];
    if (!operation) return;
    const a: Attributes = {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': 'ollama',
      'server.address': this.server.address,
      'server.port': this.server.port,
    };
    // As the span has them (genai-span.ts): the model as requested, the one that answered canonically.
    const requested = input.requested_model ?? input.model;
    if (requested) a['gen_ai.request.model'] = requested;
    if (input.model && input.status === 'success') a['gen_ai.response.model'] = input.model;
    const failed = input.status !== 'success';
    this.duration.record(
      Math.max(0, input.ended_at - input.started_at) / 1000,
      failed
        ? {
            ...a,
            'error.type':
              input.error_type ?? (input.http_status >= 400 ? String(input.http_status) : '_OTHER'),
          }
        : a
    );
    if (failed) return;
    if (input.input_tokens !== undefined)
      this.tokenUsage.record(input.input_tokens, { ...a, 'gen_ai.token.type': 'input' });
    if (input.output_tokens !== undefined)
      this.tokenUsage.record(input.output_tokens, { ...a, 'gen_ai.token.type': 'output' });
    if (input.stream && input.ttft_ms !== undefined) this.timeToFirstToken.record(input.ttft_ms / 1000, a);
    const t = input.timings;
    // Ollama's own generation phase (eval) over the tokens it produced: the server's time per token,
    // without the prompt processing that precedes the first one.
    if (t?.eval_duration_ns !== undefined && t.eval_count !== undefined && t.eval_count > 0)
      this.timePerOutputToken.record(t.eval_duration_ns / 1e9 / t.eval_count, a);
  }
}
