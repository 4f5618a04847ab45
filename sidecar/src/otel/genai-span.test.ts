import type { MeasurementRecord, ObservedExchange } from '../tap/record';
import { recordOf } from '@ollama-lens/testkit/records';
import { describeSpan, REQUEST_ID_ATTRIBUTE } from './genai-span';
import { toSpanInput } from './span-input';

const server = { address: '127.0.0.1', port: 11434 };

function record(over: Partial<ObservedExchange> = {}): MeasurementRecord {
  return recordOf({
    id: 'req-1',
    endpoint: '/api/chat',
    session: 'sess-1',
    stream: true,
    started_at: 1_795_569_346_634.25,
    ttft_ms: 12.5,
    duration_ms: 420.25,
    request_bytes: 100,
    response_bytes: 500,
    prompt: {
      system: 'be brief',
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: '', tool_calls: [{ name: 'weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: 'sunny', tool_name: 'weather' },
      ],
    },
    response: { content: 'It is sunny.', thinking: 'the tool said so' },
    options: { temperature: 0.2, top_p: 0.9, top_k: 40, num_predict: 64, seed: 7, stop: ['\n\n'] },
    done_reason: 'stop',
    input_tokens: 31,
    output_tokens: 5,
    token_source: 'ollama',
    chunks: [{ t_ms: 12.5, bytes: 40, text: 'It' }],
    capture_content: true,
    trace: { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), sampled: true },
    ...over,
  });
}

describe('describeSpan: the GenAI semantic conventions', () => {
  it('names a chat span after operation and model as requested, with the required and recommended attributes', () => {
    const d = describeSpan(toSpanInput(record(), false), { server, captureContent: false });
    expect(d.name).toBe('chat tiny');
    expect(d.error).toBeUndefined();
    expect(d.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      // As the client asked; the model that answered by its canonical name (as the metrics have it).
      'gen_ai.request.model': 'tiny',
      'gen_ai.response.model': 'tiny:latest',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['\n\n'],
      'gen_ai.usage.input_tokens': 31,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.conversation.id': 'sess-1',
      'server.address': '127.0.0.1',
      'server.port': 11434,
      'http.request.method': 'POST',
      'url.path': '/api/chat',
      'http.response.status_code': 200,
      [REQUEST_ID_ATTRIBUTE]: 'req-1',
      'ollama_lens.stream': true,
      'ollama_lens.time_to_first_token_ms': 12.5,
    });
  });

  it.each([
    ['/api/generate', 'text_completion'],
    ['/v1/completions', 'text_completion'],
    ['/v1/chat/completions', 'chat'],
    ['/api/embed', 'embeddings'],
    ['/api/embeddings', 'embeddings'],
    ['/v1/embeddings', 'embeddings'],
  ] as const)('%s is the %s operation', (endpoint, operation) => {
    const d = describeSpan(toSpanInput(record({ endpoint, path: endpoint }), false), {
      server,
      captureContent: false,
    });
    expect(d.attributes['gen_ai.operation.name']).toBe(operation);
    expect(d.name).toBe(`${operation} tiny`);
  });

  it('gives other endpoints a plain HTTP span without GenAI attributes', () => {
    const tags = describeSpan(
      toSpanInput(
        record({ method: 'GET', endpoint: '/api/tags', path: '/api/tags', requested_model: undefined }),
        false
      ),
      { server, captureContent: false }
    );
    expect(tags.name).toBe('GET /api/tags');
    expect(Object.keys(tags.attributes).filter((k) => k.startsWith('gen_ai.'))).toEqual([]);
    const other = describeSpan(
      toSpanInput(record({ method: 'GET', endpoint: 'other', path: '/x/y' }), false),
      {
        server,
        captureContent: false,
      }
    );
    expect(other.name).toBe('GET');
    expect(other.attributes['url.path']).toBe('/x/y');
  });

  it('marks a failure with error.type and an error status, and no response model', () => {
    const d = describeSpan(
      toSpanInput(
        record({
          status: 'error',
          http_status: 404,
          error_type: 'model_not_found',
          error_message: "model 'nope' not found",
          requested_model: 'nope',
          done_reason: undefined,
          input_tokens: undefined,
          output_tokens: undefined,
        }),
        false
      ),
      { server, captureContent: false }
    );
    expect(d.name).toBe('chat nope');
    expect(d.attributes['error.type']).toBe('model_not_found');
    expect(d.attributes['gen_ai.response.model']).toBeUndefined();
    expect(d.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(d.error).toBe("model 'nope' not found");
  });

  it('attaches no text unless capture is on', () => {
    const d = describeSpan(toSpanInput(record(), false), { server, captureContent: true });
    expect(Object.keys(d.attributes).filter((k) => /messages|instructions/.test(k))).toEqual([]);
  });

  it("attaches the conventions' opt-in message attributes when capture is on", () => {
    const d = describeSpan(toSpanInput(record(), true), { server, captureContent: true });
    expect(JSON.parse(d.attributes['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'be brief' },
    ]);
    expect(JSON.parse(d.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', response: 'sunny' }] },
    ]);
    expect(JSON.parse(d.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'the tool said so' },
          { type: 'text', content: 'It is sunny.' },
        ],
        finish_reason: 'stop',
      },
    ]);
  });

  it('a generate prompt is one user message; text is redacted when asked', () => {
    const r = record({
      endpoint: '/api/generate',
      path: '/api/generate',
      prompt: { prompt: 'my key is sk-abc', system: undefined },
      response: { content: 'ok' },
    });
    const d = describeSpan(toSpanInput(r, true), {
      server,
      captureContent: true,
      redact: (t) => t.replace(/sk-\w+/g, '[REDACTED]'),
    });
    expect(JSON.parse(d.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'my key is [REDACTED]' }] },
    ]);
    expect(d.attributes['gen_ai.system_instructions']).toBeUndefined();
  });

  it("the client's no-capture header wins over the option", () => {
    const input = toSpanInput(record({ capture_content: false }), true);
    expect(input.prompt).toBeUndefined();
    expect(input.response).toBeUndefined();
    // Stream chunks never cross to the export thread.
    expect('chunks' in toSpanInput(record(), true)).toBe(false);
  });
});
