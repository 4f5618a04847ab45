/**
 * Black-box: apps talk to the sidecar exactly as to Ollama, with the official clients (ollama-js and
 * openai), against the real Ollama. Each answer is compared with the same call made directly.
 */
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';

let sidecar: TestSidecar;
let direct: Ollama;
let proxied: Ollama;
let model: string;

beforeAll(async () => {
  sidecar = await startSidecar(testOllamaUrl(), ['--store', 'false']);
  direct = new Ollama({ host: testOllamaUrl() });
  proxied = new Ollama({ host: sidecar.url, headers: { 'X-User-Id': 'alice', 'X-Session-Id': 'sess-1' } });
  model = testOllamaModels()[0];
});
afterAll(() => sidecar.close());

const opts = { num_predict: 12, seed: 7, temperature: 0 };

describe('native API through ollama-js', () => {
  it("generate, not streamed: same text as direct, and a record with Ollama's own counts", async () => {
    const d = await direct.generate({ model, prompt: 'Why is the sky blue?', options: opts });
    const p = await proxied.generate({ model, prompt: 'Why is the sky blue?', options: opts });
    expect(p.response).toBe(d.response);
    expect(p.eval_count).toBe(d.eval_count);
    const r = await sidecar.waitForRecord(
      (r) => r.endpoint === '/api/generate' && r.prompt?.prompt === 'Why is the sky blue?' && !r.stream
    );
    expect(r).toMatchObject({
      status: 'success',
      http_status: 200,
      // The canonical name (the metric labels'), with the name as sent beside it.
      model: `${model}:latest`,
      requested_model: model,
      user: 'alice',
      session: 'sess-1',
      token_source: 'ollama',
    });
    expect(r.output_tokens).toBe(p.eval_count);
    expect(r.input_tokens).toBe(p.prompt_eval_count);
    expect(r.response?.content).toBe(p.response);
    expect(r.options).toMatchObject({ num_predict: 12, seed: 7, temperature: 0 });
    expect(r.timings?.eval_duration_ns).toBe(p.eval_duration);
    expect(r.duration_ms).toBeGreaterThan(0);
  });

  it('generate, streamed: chunks pass through as they come, and TTFT is measured', async () => {
    const collect = async (c: Ollama) => {
      let text = '';
      let last;
      for await (const part of await c.generate({
        model,
        prompt: 'Tell me a story',
        stream: true,
        options: opts,
      })) {
        text += part.response;
        last = part;
      }
      return { text, last };
    };
    const d = await collect(direct);
    const p = await collect(proxied);
    expect(p.text).toBe(d.text);
    expect(p.last?.done).toBe(true);
    const r = await sidecar.waitForRecord((r) => r.prompt?.prompt === 'Tell me a story' && r.stream);
    expect(r.status).toBe('success');
    expect(r.ttft_ms).toBeGreaterThan(0);
    expect(r.ttft_ms!).toBeLessThanOrEqual(r.duration_ms);
    expect(r.chunks!.length).toBeGreaterThan(1);
    expect(r.response?.content).toBe(p.text);
    expect(r.done_reason).toBe(p.last?.done_reason);
  });

  it('chat, streamed and not', async () => {
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hello there' },
    ];
    const d = await direct.chat({ model, messages, options: opts });
    const p = await proxied.chat({ model, messages, options: opts });
    expect(p.message.content).toBe(d.message.content);
    let streamed = '';
    for await (const part of await proxied.chat({ model, messages, stream: true, options: opts }))
      streamed += part.message.content;
    expect(streamed).toBe(d.message.content);
    const r = await sidecar.waitForRecord((r) => r.endpoint === '/api/chat' && r.stream);
    expect(r.prompt?.messages).toEqual(messages);
    expect(r.response?.content).toBe(streamed);
  });

  it('embed, tags, show, ps and version answer as directly', async () => {
    const [de, pe] = await Promise.all([
      direct.embed({ model, input: ['a', 'b'] }),
      proxied.embed({ model, input: ['a', 'b'] }),
    ]);
    expect(pe.embeddings).toEqual(de.embeddings);
    expect((await proxied.list()).models.map((m) => m.name).sort()).toEqual(
      (await direct.list()).models.map((m) => m.name).sort()
    );
    expect((await proxied.show({ model })).template).toBe((await direct.show({ model })).template);
    expect((await proxied.ps()).models.length).toBeGreaterThan(0);
    expect(await proxied.version()).toEqual(await direct.version());
    const r = await sidecar.waitForRecord((r) => r.endpoint === '/api/embed');
    expect(r.response?.embeddings).toBe(2);
    expect(r.input_tokens).toBeGreaterThan(0);
  });

  it("a missing model: Ollama's 404 passes through unchanged", async () => {
    const err = (c: Ollama) =>
      c.generate({ model: 'no-such-model', prompt: 'x' }).then(
        () => null,
        (e: Error & { status_code?: number }) => e
      );
    const d = await err(direct);
    const p = await err(proxied);
    expect(p?.status_code).toBe(404);
    expect(p?.message).toBe(d?.message);
    const r = await sidecar.waitForRecord((r) => r.requested_model === 'no-such-model');
    expect(r).toMatchObject({ status: 'error', error_type: 'model_not_found', http_status: 404 });
  });
});

describe('OpenAI-compatible API through the openai client', () => {
  const client = () =>
    new OpenAI({ baseURL: `${sidecar.url}/v1`, apiKey: 'ollama', defaultHeaders: { 'X-User-Id': 'bob' } });
  const directClient = () => new OpenAI({ baseURL: `${testOllamaUrl()}/v1`, apiKey: 'ollama' });

  it('chat completions, not streamed, with usage', async () => {
    const req = {
      model,
      messages: [{ role: 'user' as const, content: 'Say hi' }],
      max_tokens: 8,
      seed: 3,
      temperature: 0,
    };
    const d = await directClient().chat.completions.create(req);
    const p = await client().chat.completions.create(req);
    expect(p.choices[0].message.content).toBe(d.choices[0].message.content);
    const r = await sidecar.waitForRecord((r) => r.endpoint === '/v1/chat/completions' && !r.stream);
    expect(r).toMatchObject({
      flavor: 'openai',
      user: 'bob',
      token_source: 'openai_usage',
      input_tokens: p.usage?.prompt_tokens,
      output_tokens: p.usage?.completion_tokens,
    });
  });

  it('chat completions streamed: without include_usage the record says there were no counts', async () => {
    let text = '';
    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Stream please' }],
      max_tokens: 8,
      stream: true,
    });
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    const r = await sidecar.waitForRecord(
      (r) =>
        r.endpoint === '/v1/chat/completions' &&
        r.stream &&
        r.prompt?.messages?.[0].content === 'Stream please'
    );
    expect(r.response?.content).toBe(text);
    expect(r.token_source).toBe('none');
    expect(r.output_tokens).toBeUndefined();
    expect(r.ttft_ms).toBeGreaterThan(0);
  });

  it('chat completions streamed with include_usage: counts from the usage chunk', async () => {
    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Usage please' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage;
    for await (const c of stream) if (c.usage) usage = c.usage;
    const r = await sidecar.waitForRecord((r) => r.prompt?.messages?.[0].content === 'Usage please');
    expect(r.token_source).toBe('openai_usage');
    expect(r.output_tokens).toBe(usage?.completion_tokens);
  });

  it('completions, embeddings and models', async () => {
    const c = await client().completions.create({ model, prompt: 'Once upon', max_tokens: 6 });
    expect(c.choices[0].text.length).toBeGreaterThan(0);
    const e = await client().embeddings.create({ model, input: 'hello', encoding_format: 'float' });
    const de = await directClient().embeddings.create({ model, input: 'hello', encoding_format: 'float' });
    expect(e.data[0].embedding).toEqual(de.data[0].embedding);
    expect(e.data[0].embedding.length).toBe(32);
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining([expect.stringContaining(model)]));
    const r = await sidecar.waitForRecord((r) => r.endpoint === '/v1/embeddings');
    expect(r.input_tokens).toBe(e.usage.prompt_tokens);
  });
});
