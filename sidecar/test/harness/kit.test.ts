/**
 * The test kit's own pieces that every suite leans on: the sidecar spawner (in-process and as a
 * process), the record builder and fixture replay. A kit that quietly did less would make other
 * tests pass for the wrong reason, so each promise it makes is checked here against the real thing.
 */
import { request } from 'undici';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { loadFixture } from '@ollama-lens/testkit/fixtures';
import { RECORD_T0, recordOf } from '@ollama-lens/testkit/records';
import { ragged, replayFixture, whole } from '@ollama-lens/testkit/replay';
import { spawnSidecarProcess, startSidecar } from '@ollama-lens/testkit/sidecar';

describe('startSidecar', () => {
  it('hands the test the record of a request through its proxy, and names what it has when none matches', async () => {
    const lens = await startSidecar(testOllamaUrl(), ['--store', 'false']);
    try {
      const res = await request(`${lens.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: testOllamaModels()[0],
          prompt: 'hi',
          stream: false,
          options: { num_predict: 2 },
        }),
      });
      const id = String(res.headers['x-ollama-lens-id']);
      await res.body.text();
      const record = await lens.waitForRecord((r) => r.id === id);
      expect(record).toMatchObject({ path: '/api/generate', status: 'success', http_status: 200 });
      expect(lens.started.map((s) => s.id)).toContain(id);
      await expect(lens.waitForRecord((r) => r.path === '/nowhere', 200)).rejects.toThrow(
        /no matching record within 200 ms; have: POST \/api\/generate success/
      );
    } finally {
      await lens.close();
    }
  });
});

describe('spawnSidecarProcess', () => {
  it('resolves with the proxy URL of the real process, which answers', async () => {
    const lens = await spawnSidecarProcess(testOllamaUrl(), ['--store', 'false']);
    try {
      const res = await request(`${lens.url}/api/version`);
      expect(res.statusCode).toBe(200);
      await res.body.text();
    } finally {
      lens.proc.kill('SIGTERM');
      await lens.exited;
    }
  });

  it('fails with the process output when the sidecar cannot start', async () => {
    await expect(spawnSidecarProcess(testOllamaUrl(), ['--no-such-flag'])).rejects.toThrow(
      /the sidecar did not start:[\s\S]*no-such-flag/
    );
  });
});

describe('recordOf', () => {
  it('keeps a record consistent with what is overridden: path with endpoint, end with start and duration', () => {
    const r = recordOf({ endpoint: '/v1/chat/completions', started_at: RECORD_T0 + 5, duration_ms: 250 });
    expect(r).toMatchObject({ path: '/v1/chat/completions', flavor: 'openai', ended_at: RECORD_T0 + 255 });
    expect(recordOf().id).not.toBe(recordOf().id);
  });

  it('derives values as the tap does: the canonical model beside the name as requested', () => {
    expect(recordOf({ requested_model: 'tiny' })).toMatchObject({
      requested_model: 'tiny',
      model: 'tiny:latest',
    });
  });
});

describe('replayFixture', () => {
  it('gives the record the tap emits for a recorded exchange, however the response is chunked', () => {
    const f = loadFixture('generate-stream');
    const a = replayFixture(f, { split: whole }).record;
    const b = replayFixture(f, { split: ragged }).record;
    expect(a.response?.content).toBeTruthy();
    expect(b.response?.content).toBe(a.response?.content);
    expect(a.output_tokens).toBe(b.output_tokens);
    expect(replayFixture('generate-stream', { captureLimitBytes: 100 }).record.capture_truncated).toBe(true);
  });
});
