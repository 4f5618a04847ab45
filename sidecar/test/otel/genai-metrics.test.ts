/**
 * The GenAI metrics (--otlp-metrics) sent over OTLP/HTTP to the real Jaeger, whose collector core
 * serves what it received in Prometheus format: the token sums must equal the stored messages' counts.
 * Skipped only on a developer's machine without the jaeger binary (see jaeger.test.ts).
 */
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { JAEGER_INSTALL, jaegerBinary, startJaeger, type JaegerServer } from '@ollama-lens/testkit/jaeger';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { eventually, send, storedMessage } from './helpers';

const available = jaegerBinary() !== undefined;
if (!available && !process.env.CI)
  console.warn(
    `Skipping the GenAI metrics tests: no jaeger binary. Build it with ${JAEGER_INSTALL} (~10 min of CPU, once).`
  );
const describeJaeger = available || process.env.CI ? describe : describe.skip;

/** Sum of the samples of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (!Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describeJaeger('GenAI metrics over OTLP', () => {
  let jaeger: JaegerServer;
  let sidecar: TestSidecar;
  let model: string;
  const service = `ollama-lens-metrics-${process.pid}`;

  beforeAll(async () => {
    model = testOllamaModels()[0];
    jaeger = await startJaeger();
    sidecar = await startSidecar(testOllamaUrl(), [
      '--otlp-endpoint',
      jaeger.otlpUrl,
      '--otlp-service-name',
      service,
      '--otlp-metrics',
      '--otlp-metrics-interval-ms',
      '300',
    ]);
  });
  afterAll(async () => {
    await sidecar?.close();
    await jaeger?.stop();
  });

  it('token usage, duration, time to first token and time per output token, by operation and model', async () => {
    const chat = await send(sidecar, 'POST', '/api/chat', {
      model,
      stream: false,
      messages: [{ role: 'user', content: 'hi' }],
      options: { num_predict: 5 },
    });
    const gen = await send(sidecar, 'POST', '/api/generate', {
      model,
      prompt: 'count to three',
      stream: true,
      options: { num_predict: 7 },
    });
    const missing = await send(sidecar, 'POST', '/api/chat', {
      model: 'no-such-model',
      stream: false,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect([chat.status, gen.status, missing.status]).toEqual([200, 200, 404]);
    const [c, g] = [await storedMessage(sidecar, chat.id), await storedMessage(sidecar, gen.id)];

    const base = {
      job: service,
      gen_ai_provider_name: 'ollama',
      gen_ai_request_model: model,
      // The model that answered, by its canonical name (as the metrics and the store have it).
      gen_ai_response_model: `${model}:latest`,
    };
    await eventually(async () => {
      const text = await (await fetch(jaeger.metricsUrl)).text();
      const tokens = (operation: string, type: string) =>
        sample(text, 'gen_ai_client_token_usage_sum', {
          ...base,
          gen_ai_operation_name: operation,
          gen_ai_token_type: type,
        });
      expect({
        chatIn: tokens('chat', 'input'),
        chatOut: tokens('chat', 'output'),
        genIn: tokens('text_completion', 'input'),
        genOut: tokens('text_completion', 'output'),
      }).toEqual({
        chatIn: c.input_tokens,
        chatOut: c.output_tokens,
        genIn: g.input_tokens,
        genOut: g.output_tokens,
      });
      // Durations: one observation per request, the failed one with its error type.
      expect(
        sample(text, 'gen_ai_client_operation_duration_seconds_count', {
          ...base,
          gen_ai_operation_name: 'chat',
        })
      ).toBe(1);
      expect(
        sample(text, 'gen_ai_client_operation_duration_seconds_count', {
          gen_ai_request_model: 'no-such-model',
          error_type: 'model_not_found',
        })
      ).toBe(1);
      const duration = sample(text, 'gen_ai_client_operation_duration_seconds_sum', {
        ...base,
        gen_ai_operation_name: 'text_completion',
      });
      expect(duration).toBeCloseTo((g.ended_at - g.started_at) / 1000, 3);
      // Time to first token only for the streamed request.
      expect(
        sample(text, 'gen_ai_server_time_to_first_token_seconds_count', {
          ...base,
          gen_ai_operation_name: 'text_completion',
        })
      ).toBe(1);
      expect(sample(text, 'gen_ai_server_time_to_first_token_seconds_sum', base)).toBeCloseTo(
        g.ttft_ms! / 1000,
        4
      );
      expect(
        sample(text, 'gen_ai_server_time_to_first_token_seconds_count', { gen_ai_operation_name: 'chat' })
      ).toBeUndefined();
      expect(sample(text, 'gen_ai_server_time_per_output_token_seconds_count', base)).toBe(2);
      // The buckets are the conventions' (a boundary of 16384 tokens exists only in theirs).
      expect(text).toMatch(/gen_ai_client_token_usage_bucket\{[^}]*le="16384"/);
    }, 20_000);
  });
});
