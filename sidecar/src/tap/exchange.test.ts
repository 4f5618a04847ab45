import { classifyEndpoint } from '../ollama/endpoint';
import { fixtureNames, loadFixture, type Fixture } from '@ollama-lens/testkit/fixtures';
import { ragged, replayFixture, whole } from '@ollama-lens/testkit/replay';
import { Exchange } from './exchange';
import type { MeasurementRecord } from './record';

/** Feeds a recorded exchange through the tap, the response split into chunks by `split`. */
const replay = (f: Fixture, split: (body: Buffer) => Buffer[]): MeasurementRecord =>
  replayFixture(f, { split }).record;

/** An independent reading of a recorded body: the simplest possible parse, as an oracle. */
interface Oracle {
  content: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  final?: Record<string, number | string | boolean>;
}
function oracle(f: Fixture): Oracle {
  const ct = f.headers['content-type'] ?? '';
  const docs: Record<string, unknown>[] = [];
  if (ct.startsWith('application/x-ndjson')) {
    for (const line of f.body.split('\n')) if (line.trim()) docs.push(JSON.parse(line));
  } else if (ct.startsWith('text/event-stream')) {
    for (const ev of f.body.split('\n\n')) {
      const data = ev.replace(/^data: /, '');
      if (data && data !== '[DONE]') docs.push(JSON.parse(data));
    }
  } else if (ct.includes('json')) {
    docs.push(JSON.parse(f.body));
  }
  const o: Oracle = { content: '' };
  for (const d of docs) {
    if (typeof d.response === 'string') o.content += d.response;
    const msg = d.message as { content?: string } | undefined;
    if (msg?.content) o.content += msg.content;
    for (const c of (d.choices as {
      delta?: { content?: string };
      message?: { content?: string };
      text?: string;
    }[]) ?? []) {
      o.content += c.delta?.content ?? c.message?.content ?? c.text ?? '';
    }
    if (d.usage) o.usage = d.usage as Oracle['usage'];
    if (d.done === true) o.final = d as Oracle['final'];
  }
  return o;
}

describe('the tap reads every recorded Ollama exchange', () => {
  const names = fixtureNames();

  it('has the recorded fixtures', () => {
    expect(names.length).toBeGreaterThan(40);
  });

  describe.each(names)('%s', (name) => {
    const f = loadFixture(name);

    it('gives the same record however the bytes were chunked', () => {
      const a = replay(f, whole);
      const b = replay(f, ragged);
      const strip = (r: MeasurementRecord) => ({
        ...r,
        chunks: undefined,
        ttft_ms: undefined,
        ttfb_ms: undefined,
        duration_ms: undefined,
        ended_at: undefined,
        started_at: undefined,
        proxy_overhead_ms: undefined,
        // Derived from the wall times above (a stream's generation span).
        generation_ms: undefined,
        tokens_per_second: undefined,
      });
      expect(strip(b)).toEqual(strip(a));
    });

    it('matches an independent reading of the body', () => {
      const r = replay(f, ragged);
      const o = oracle(f);
      expect(r.http_status).toBe(f.status);
      if (f.status >= 400) {
        expect(r.status).toBe('error');
        expect(r.error_type).toBeDefined();
        return;
      }
      if (r.response) expect(r.response.content).toBe(o.content);
      if (o.usage) {
        expect(r.token_source).toBe('openai_usage');
        expect(r.input_tokens).toBe(o.usage.prompt_tokens);
        expect(r.output_tokens).toBe(o.usage.completion_tokens);
      } else if (o.final && o.final.eval_count !== undefined) {
        expect(r.token_source).toBe('ollama');
        expect(r.output_tokens).toBe(o.final.eval_count);
        expect(r.input_tokens).toBe(o.final.prompt_eval_count);
        expect(r.timings?.eval_duration_ns).toBe(o.final.eval_duration);
        expect(r.done_reason).toBe(o.final.done_reason);
      }
      if (r.stream && r.chunks) {
        // The replay's texts add up to the answer (plus thinking, which the tiny model has none of).
        expect(r.chunks.map((c) => c.text ?? '').join('')).toBe(o.content + (r.response?.thinking ?? ''));
        expect(r.chunks.reduce((n, c) => n + c.bytes, 0)).toBe(Buffer.byteLength(f.body));
      }
    });
  });
});

describe('specific cases', () => {
  it('a /v1 stream without include_usage has no token counts, and says so', () => {
    const r = replay(loadFixture('v1-chat-stream'), ragged);
    expect(r.status).toBe('success');
    expect(r.token_source).toBe('none');
    expect(r.input_tokens).toBeUndefined();
    expect(r.output_tokens).toBeUndefined();
    expect(r.done_reason).toBeDefined();
  });

  it('a /v1/completions stream with include_usage takes the last (real) usage, not the zero ones', () => {
    const r = replay(loadFixture('v1-completions-stream-usage'), ragged);
    expect(r.output_tokens).toBeGreaterThan(0);
    expect(r.input_tokens).toBeGreaterThan(0);
  });

  it('a native stream cut short by the repeat guard is an error: no final frame arrived', () => {
    const r = replay(loadFixture('generate-repeat-guard-stream'), ragged);
    expect(r.status).toBe('error');
    expect(r.error_type).toBe('stream_error');
    expect(r.token_source).toBe('none');
  });

  it('classifies errors into the fixed error types', () => {
    expect(replay(loadFixture('error-generate-missing-model'), whole).error_type).toBe('model_not_found');
    expect(replay(loadFixture('error-chat-missing-model'), whole).error_type).toBe('model_not_found');
    expect(replay(loadFixture('error-v1-chat-missing-model'), whole).error_type).toBe('model_not_found');
    expect(replay(loadFixture('error-malformed-json'), whole).error_type).toBe('bad_request');
    const unknown = replay(loadFixture('error-unknown-path'), whole);
    expect(unknown.error_type).toBe('bad_request');
    expect(unknown.error_message).toBe('404 page not found');
    expect(replay(loadFixture('error-generate-missing-model'), whole).error_message).toMatch(/not found/);
  });

  it('reads the prompt, options and model of a chat request', () => {
    const r = replay(loadFixture('chat-stream'), whole);
    // As the client asked, and the canonical name everything else uses.
    expect(r.requested_model).toBe('tiny');
    expect(r.model).toBe('tiny:latest');
    expect(r.prompt?.messages?.length).toBeGreaterThan(0);
    expect(r.prompt?.messages?.[0].content).toEqual(expect.any(String));
    expect(r.options).toBeDefined();
    expect(r.ttft_ms).toBeDefined();
  });

  it('reads the /v1 chat request into the same normalised shape', () => {
    const r = replay(loadFixture('v1-chat-stream-usage'), whole);
    expect(r.flavor).toBe('openai');
    expect(r.prompt?.messages?.map((m) => m.role)).toEqual(['system', 'user']);
    expect(r.options?.num_predict).toBe(8);
    expect(r.options?.seed).toBe(42);
  });

  it('counts embeddings without keeping the vectors', () => {
    const r = replay(loadFixture('embed-array'), whole);
    expect(r.response?.embeddings).toBe(JSON.parse(loadFixture('embed-array').body).embeddings.length);
    // (The derived queue estimate is the one fractional number the record may carry.)
    expect(JSON.stringify({ ...r, queue_ms: undefined })).not.toMatch(/\d\.\d{6,}/);
  });

  it('keeps tool calls of a non-streamed chat', () => {
    const f = loadFixture('chat-tools');
    const r = replay(f, whole);
    const sent = JSON.parse(f.request.body ?? '{}') as { tools?: { function: { name: string } }[] };
    expect(r.prompt?.tools).toEqual(sent.tools?.map((t) => t.function.name));
  });

  it('marks text beyond the capture limit as truncated and still counts every byte', () => {
    const f = loadFixture('generate-stream');
    const { record: r } = replayFixture(f, { split: ragged, captureLimitBytes: 200 });
    expect(r.capture_truncated).toBe(true);
    expect(r.response_bytes).toBe(Buffer.byteLength(f.body));
  });

  it('records a client abort as cancelled, whatever arrived before', () => {
    const f = loadFixture('generate-stream');
    const { endpoint, flavor } = classifyEndpoint(f.request.path);
    const ex = new Exchange({
      id: 'x',
      method: 'POST',
      path: f.request.path,
      endpoint,
      flavor,
      captureContent: true,
      captureLimitBytes: 1 << 20,
      prices: {},
    });
    ex.requestComplete();
    ex.onResponseHead(200, 'application/x-ndjson');
    ex.onResponseChunk(Buffer.from(f.body.split('\n')[0] + '\n'));
    const r = ex.finish({ kind: 'client_abort' });
    expect(r.status).toBe('cancelled');
    expect(r.error_type).toBe('cancelled');
    expect(r.response?.content.length).toBeGreaterThan(0);
  });
});
