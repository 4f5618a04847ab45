import { config } from '@grafana/runtime';
import { MESSAGE_ID_HEADER } from '@ollama-lens/contracts';
import { ModelsClient } from './models';
import { setStreamFetch, type StreamFetch } from './stream';

/** A fetch that records what it was asked and answers one NDJSON line with the message id header. */
function recordingFetch(calls: Array<{ url: string; body: string }>): StreamFetch {
  return async (url, init) => {
    calls.push({ url, body: init.body });
    const bytes = new TextEncoder().encode('{"done":true}\n');
    let sent = false;
    return {
      ok: true,
      status: 200,
      statusText: 'OK',
      headers: { get: (name: string) => (name === MESSAGE_ID_HEADER ? 'msg-1' : null) },
      body: {
        getReader: () => ({
          read: async () => (sent ? { done: true, value: undefined } : ((sent = true), { done: false, value: bytes })),
          cancel: async () => undefined,
        }),
      } as unknown as ReadableStream<Uint8Array>,
      text: async () => '',
    };
  };
}

describe('ModelsClient streams', () => {
  const base = '/api/datasources/proxy/uid/ollamalens-messages';
  const client = new ModelsClient(`${base}/sidecar`, `${base}/sidecar-actions`);
  const before = config.appSubUrl;
  afterEach(() => {
    config.appSubUrl = before;
  });

  it('send the chat on the read route and the pull on the actions route, with the message id from the header', async () => {
    const calls: Array<{ url: string; body: string }> = [];
    setStreamFetch(recordingFetch(calls));
    config.appSubUrl = '';
    const chat = await client.chat(
      { model: 'tiny', messages: [{ role: 'user', content: 'hi' }] },
      new AbortController().signal
    );
    expect(chat.messageId).toBe('msg-1');
    const lines = [];
    for await (const line of chat.lines) {
      lines.push(line);
    }
    expect(lines).toEqual([{ done: true }]);
    await client.pull('llama3.2', new AbortController().signal);
    expect(calls.map((c) => c.url)).toEqual([
      `${base}/sidecar/analytics/playground/chat`,
      `${base}/sidecar-actions/analytics/models/actions/pull`,
    ]);
    expect(JSON.parse(calls[1].body)).toEqual({ model: 'llama3.2' });
  });

  it('prefix Grafana’s sub-path, as BackendSrv does for its own requests', async () => {
    const calls: Array<{ url: string; body: string }> = [];
    setStreamFetch(recordingFetch(calls));
    config.appSubUrl = '/grafana';
    await client.pull('tiny', new AbortController().signal);
    expect(calls[0].url).toBe(`/grafana${base}/sidecar-actions/analytics/models/actions/pull`);
  });

  it('turn a refusal into the same error the buffered client gives (Grafana’s 403 for a Viewer)', async () => {
    setStreamFetch(async () => ({
      ok: false,
      status: 403,
      statusText: 'Forbidden',
      headers: { get: () => null },
      body: null,
      text: async () => '{"message":"plugin proxy route access denied"}',
    }));
    await expect(client.pull('tiny', new AbortController().signal)).rejects.toThrow(
      'Pull tiny: HTTP 403: plugin proxy route access denied'
    );
  });
});
