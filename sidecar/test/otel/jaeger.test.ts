/**
 * OpenTelemetry export end to end: real traffic through the sidecar in front of the real Ollama, spans
 * exported over OTLP/HTTP to a real Jaeger, read back from Jaeger's query API and compared with what
 * the store kept about the same requests (joined on ollama_lens.request_id).
 *
 * Skipped only on a developer's machine without the jaeger binary; in CI (CI set) set-up builds it,
 * so a missing binary fails here.
 */
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import {
  findTraces,
  JAEGER_INSTALL,
  jaegerBinary,
  startJaeger,
  tagsOf,
  waitForTrace,
  type JaegerServer,
  type JaegerSpan,
  type JaegerTrace,
} from '@ollama-lens/testkit/jaeger';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { eventually, metric, send, storedMessage, type StoredMessage } from './helpers';

const available = jaegerBinary() !== undefined;
if (!available && !process.env.CI)
  console.warn(
    `Skipping the Jaeger tests: no jaeger binary. Build it with ${JAEGER_INSTALL} (~10 min of CPU, once).`
  );
const describeJaeger = available || process.env.CI ? describe : describe.skip;

const CALLER_SPAN = 'eee19b7ec3c1b174';
const hex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/** Jaeger shows an array attribute as its JSON text. */
function list(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith('[') ? JSON.parse(value) : value;
}

describeJaeger('OpenTelemetry export to a real Jaeger', () => {
  let jaeger: JaegerServer;
  let sidecar: TestSidecar;
  let model: string;
  const service = `ollama-lens-test-${process.pid}`;
  const ollama = new URL(testOllamaUrl());

  beforeAll(async () => {
    model = testOllamaModels()[0];
    jaeger = await startJaeger();
    sidecar = await startSidecar(testOllamaUrl(), [
      '--otlp-endpoint',
      jaeger.otlpUrl,
      '--otlp-service-name',
      service,
    ]);
    await sidecar.app.services.otel?.whenReady();
  });
  afterAll(async () => {
    await sidecar?.close();
    await jaeger?.stop();
  });

  /** The one span for this request id, from Jaeger's search by tag. */
  async function spanOf(id: string, svc = service): Promise<{ trace: JaegerTrace; span: JaegerSpan }> {
    return eventually(async () => {
      const traces = await findTraces(jaeger, svc, { 'ollama_lens.request_id': id });
      expect(traces).toHaveLength(1);
      const span = traces[0].spans.find((s) => tagsOf(s)['ollama_lens.request_id'] === id);
      expect(span).toBeDefined();
      return { trace: traces[0], span: span! };
    }, 15_000);
  }

  function expectMatchesStored(span: JaegerSpan, m: StoredMessage): void {
    const tags = tagsOf(span);
    // The model as requested; the stored `model` is its canonical name, the span's response model.
    expect(tags['gen_ai.request.model']).toBe(m.requested_model);
    expect(tags['gen_ai.usage.input_tokens']).toBe(m.input_tokens);
    expect(tags['gen_ai.usage.output_tokens']).toBe(m.output_tokens);
    expect(list(tags['gen_ai.response.finish_reasons'])).toEqual([m.done_reason]);
    // Jaeger keeps microseconds; the record has fractional milliseconds.
    expect(Math.abs(span.startTime - m.started_at * 1000)).toBeLessThanOrEqual(1);
    expect(Math.abs(span.duration - (m.ended_at - m.started_at) * 1000)).toBeLessThanOrEqual(2);
  }

  it('a request without a traceparent is a root CLIENT span carrying the GenAI attributes of the stored message', async () => {
    const sent = await send(
      sidecar,
      'POST',
      '/api/chat',
      {
        model,
        stream: false,
        messages: [{ role: 'user', content: 'hello there' }],
        options: { num_predict: 6, temperature: 0.5, seed: 3 },
      },
      { 'x-session-id': 'otel-session' }
    );
    expect(sent.status).toBe(200);
    const stored = await storedMessage(sidecar, sent.id);
    const { trace, span } = await spanOf(sent.id);

    expect(span.operationName).toBe(`chat ${model}`);
    expect(span.references).toEqual([]);
    expect(trace.processes[span.processID].serviceName).toBe(service);
    expectMatchesStored(span, stored);
    const tags = tagsOf(span);
    expect(tags).toMatchObject({
      'span.kind': 'client',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.response.model': `${model}:latest`,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.max_tokens': 6,
      'gen_ai.request.seed': 3,
      'gen_ai.conversation.id': 'otel-session',
      'server.address': ollama.hostname,
      'server.port': Number(ollama.port),
      'http.response.status_code': 200,
    });
    expect(tags['error.type']).toBeUndefined();
    // Content is opt-in.
    expect(
      Object.keys(tags).filter((k) => k.startsWith('gen_ai.input') || k.startsWith('gen_ai.output'))
    ).toEqual([]);
    // The span the proxy's thread decided on is the one exported.
    const record = await sidecar.waitForRecord((r) => r.id === sent.id);
    expect({ trace: record.trace?.trace_id, span: record.trace?.span_id }).toEqual({
      trace: trace.traceID,
      span: span.spanID,
    });
  });

  it("continues an incoming traceparent: the span is the caller span's child in the caller's trace", async () => {
    const traceId = hex(32);
    const sent = await send(
      sidecar,
      'POST',
      '/api/generate',
      { model, prompt: 'once upon a time', stream: true, options: { num_predict: 5 } },
      { traceparent: `00-${traceId}-${CALLER_SPAN}-01`, tracestate: 'lens=test' }
    );
    expect(sent.status).toBe(200);
    const stored = await storedMessage(sidecar, sent.id);
    const trace = await waitForTrace(jaeger, traceId);
    expect(trace.spans).toHaveLength(1);
    const span = trace.spans[0];
    expect(span.traceID).toBe(traceId);
    expect(span.spanID).not.toBe(CALLER_SPAN);
    expect(span.references).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: CALLER_SPAN }]);
    expect(span.operationName).toBe(`text_completion ${model}`);
    expectMatchesStored(span, stored);
    const tags = tagsOf(span);
    expect(tags['ollama_lens.request_id']).toBe(sent.id);
    expect(tags['ollama_lens.stream']).toBe(true);
    expect(tags['ollama_lens.time_to_first_token_ms']).toBeCloseTo(stored.ttft_ms!, 3);
    expect(tags['w3c.tracestate']).toBe('lens=test');
  });

  it('the upstream request carries the sidecar span: a second sidecar in front continues into this one', async () => {
    // front → sidecar → Ollama, both exporting: the inner span must hang off the front one.
    const front = await startSidecar(sidecar.url, [
      '--otlp-endpoint',
      jaeger.otlpUrl,
      '--otlp-service-name',
      `${service}-front`,
    ]);
    try {
      const withParent = hex(32);
      const a = await send(
        front,
        'POST',
        '/api/embed',
        { model, input: ['a', 'b'] },
        { traceparent: `00-${withParent}-${CALLER_SPAN}-01` }
      );
      expect(a.status).toBe(200);
      const t1 = await waitForTrace(jaeger, withParent, (t) => t.spans.length === 2);
      const outer = t1.spans.find((s) => t1.processes[s.processID].serviceName === `${service}-front`)!;
      const inner = t1.spans.find((s) => t1.processes[s.processID].serviceName === service)!;
      expect(outer.references).toEqual([{ refType: 'CHILD_OF', traceID: withParent, spanID: CALLER_SPAN }]);
      expect(inner.references).toEqual([{ refType: 'CHILD_OF', traceID: withParent, spanID: outer.spanID }]);
      expect([outer.operationName, inner.operationName]).toEqual([
        `embeddings ${model}`,
        `embeddings ${model}`,
      ]);
      // Each sidecar stored its own message of the same request.
      expect(tagsOf(outer)['ollama_lens.request_id']).toBe(a.id);
      expect(tagsOf(inner)['ollama_lens.request_id']).not.toBe(a.id);

      // Without a caller trace the front sidecar starts one, and still hands it on.
      const b = await send(front, 'GET', '/api/tags');
      expect(b.status).toBe(200);
      const { trace: t2, span: root } = await spanOf(b.id, `${service}-front`);
      const full = await waitForTrace(jaeger, t2.traceID, (t) => t.spans.length === 2);
      const child = full.spans.find((s) => s.spanID !== root.spanID)!;
      expect(root.references).toEqual([]);
      expect(root.operationName).toBe('GET /api/tags');
      expect(child.references).toEqual([{ refType: 'CHILD_OF', traceID: t2.traceID, spanID: root.spanID }]);

      // A caller that sampled its trace out gets no span from either sidecar: the decision travels on.
      const unsampled = hex(32);
      expect(
        (
          await send(front, 'GET', '/api/version', undefined, {
            traceparent: `00-${unsampled}-${CALLER_SPAN}-00`,
          })
        ).status
      ).toBe(200);
      // Spans leave in order: once a later request's spans are in, the unsampled one would be too.
      const marker = hex(32);
      expect(
        (
          await send(front, 'GET', '/api/version', undefined, {
            traceparent: `00-${marker}-${CALLER_SPAN}-01`,
          })
        ).status
      ).toBe(200);
      await waitForTrace(jaeger, marker, (t) => t.spans.length === 2);
      const res = await fetch(`${jaeger.queryUrl}/api/traces/${unsampled}`);
      expect(res.status).toBe(404);
    } finally {
      await front.close();
    }
  });

  it('a failed request has error.type, an error status and no response model', async () => {
    const sent = await send(sidecar, 'POST', '/api/chat', {
      model: 'no-such-model',
      stream: false,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(sent.status).toBe(404);
    const stored = await storedMessage(sidecar, sent.id);
    const { span } = await spanOf(sent.id);
    const tags = tagsOf(span);
    expect(span.operationName).toBe('chat no-such-model');
    expect(tags['error.type']).toBe(stored.error_type);
    expect(tags['error.type']).toBe('model_not_found');
    expect(tags['error']).toBe(true);
    expect(tags['otel.status_code']).toBe('ERROR');
    expect(tags['gen_ai.response.model']).toBeUndefined();
    expect(tags['http.response.status_code']).toBe(404);
  });

  it('counts what it exported, and keeps exporting after its thread dies', async () => {
    const otel = sidecar.app.services.otel!;
    // Everything so far has been sent, and the thread has said so.
    await eventually(async () => expect(otel.stats.queueDepth).toBe(0));
    const before = await metric(sidecar, 'ollama_otel_spans_exported_total');
    expect(before).toBeGreaterThan(0);
    const ready = (await (await fetch(`${sidecar.adminUrl}/readyz`)).json()) as {
      status: string;
      checks: Record<string, { ok: boolean }>;
    };
    expect({ status: ready.status, otel: ready.checks.otel }).toEqual({
      status: 'ready',
      otel: { ok: true, critical: false },
    });
    await otel.threadForTests!.terminate();
    // The request right after the thread's death waits for the restart, not the client.
    const sent = await send(sidecar, 'GET', '/api/version');
    expect(sent.status).toBe(200);
    expect(otel.restarts).toBe(1);
    const { span } = await spanOf(sent.id);
    expect(span.operationName).toBe('GET /api/version');
    await eventually(async () =>
      expect(await metric(sidecar, 'ollama_otel_spans_exported_total')).toBe(before + 1)
    );
    expect(await metric(sidecar, 'ollama_otel_spans_dropped_total{reason="export_error"}')).toBe(0);
  });
});

describeJaeger('OpenTelemetry content capture (opt-in)', () => {
  let jaeger: JaegerServer;
  let sidecar: TestSidecar;
  let model: string;
  const service = `ollama-lens-capture-${process.pid}`;

  beforeAll(async () => {
    model = testOllamaModels()[0];
    jaeger = await startJaeger();
    sidecar = await startSidecar(testOllamaUrl(), [
      '--otlp-endpoint',
      jaeger.otlpUrl,
      '--otlp-service-name',
      service,
      '--otlp-capture-content',
    ]);
  });
  afterAll(async () => {
    await sidecar?.close();
    await jaeger?.stop();
  });

  async function span(id: string): Promise<JaegerSpan> {
    return eventually(async () => {
      const traces = await findTraces(jaeger, service, { 'ollama_lens.request_id': id });
      expect(traces).toHaveLength(1);
      return traces[0].spans[0];
    }, 15_000);
  }

  it("attaches the conventions' message attributes, equal to the stored prompt and answer", async () => {
    const body = {
      model,
      stream: false,
      options: { num_predict: 6 },
      messages: [
        { role: 'system', content: 'You answer briefly.' },
        { role: 'user', content: 'Name a colour.' },
      ],
    };
    const sent = await send(sidecar, 'POST', '/api/chat', body);
    expect(sent.status).toBe(200);
    const stored = await storedMessage(sidecar, sent.id);
    const tags = tagsOf(await span(sent.id));
    expect(JSON.parse(tags['gen_ai.input.messages'] as string)).toEqual(
      stored.prompt!.messages!.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] }))
    );
    const output = JSON.parse(tags['gen_ai.output.messages'] as string) as {
      role: string;
      parts: { type: string; content: string }[];
      finish_reason: string;
    }[];
    expect(output).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: stored.response!.content }],
        finish_reason: stored.done_reason,
      },
    ]);
  });

  it('a generate request with a system prompt: system instructions apart from the prompt', async () => {
    const sent = await send(sidecar, 'POST', '/api/generate', {
      model,
      prompt: 'Say hi.',
      system: 'Be terse.',
      stream: false,
      options: { num_predict: 4 },
    });
    expect(sent.status).toBe(200);
    const stored = await storedMessage(sidecar, sent.id);
    const tags = tagsOf(await span(sent.id));
    expect(JSON.parse(tags['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: stored.prompt!.system },
    ]);
    expect(JSON.parse(tags['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say hi.' }] },
    ]);
  });

  it("the client's no-capture header keeps text off the span as it keeps it out of the store", async () => {
    const sent = await send(
      sidecar,
      'POST',
      '/api/chat',
      {
        model,
        stream: false,
        options: { num_predict: 4 },
        messages: [{ role: 'user', content: 'secret plans' }],
      },
      { 'x-ollama-lens-no-capture': '1' }
    );
    expect(sent.status).toBe(200);
    const tags = tagsOf(await span(sent.id));
    expect(tags['gen_ai.operation.name']).toBe('chat');
    expect(Object.keys(tags).filter((k) => /^gen_ai\.(input|output|system)/.test(k))).toEqual([]);
  });
});
