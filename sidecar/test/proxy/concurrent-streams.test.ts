/**
 * 200 concurrent streams through the sidecar against one real Ollama that runs 4 at a time
 * (OLLAMA_NUM_PARALLEL=4; its default queue of 512 holds the rest): every one completes. Most of them
 * wait in Ollama's queue before any response header arrives, which is not silence (see
 * queue-timeouts.test.ts); num_predict is tiny so the run stays short on a 2-core machine.
 */
import { Agent, request } from 'undici';
import { startOllama, warmModel, type OllamaServer } from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';

const STREAMS = 200;

let ollama: OllamaServer;
let lens: TestSidecar;
let agent: Agent;

beforeAll(async () => {
  ollama = await startOllama({ numParallel: 4, models: ['tiny'] });
  await warmModel(ollama.url, 'tiny');
  // An idle timeout far below the time the tail of the queue waits for its headers.
  lens = await startSidecar(ollama.url, [
    '--store',
    'false',
    '--idle-timeout-ms',
    '5000',
    '--ollama-num-parallel',
    '4',
  ]);
  agent = new Agent({ connections: STREAMS });
}, 120_000);
afterAll(async () => {
  await agent?.close();
  await lens?.close();
  await ollama?.stop();
});

it(`${STREAMS} concurrent streaming generate requests all complete`, async () => {
  const t0 = performance.now();
  const answers = await Promise.all(
    Array.from({ length: STREAMS }, async (_, i) => {
      const sent = performance.now();
      const res = await request(`${lens.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'tiny',
          prompt: `stream ${i}`,
          stream: true,
          options: { num_predict: 3, seed: i },
        }),
        dispatcher: agent,
      });
      const headersMs = performance.now() - sent;
      const body = await res.body.text();
      return {
        status: res.statusCode,
        last: body.trim().split('\n').pop() ?? '',
        id: String(res.headers['x-ollama-lens-id']),
        headersMs,
      };
    })
  );
  const wallMs = performance.now() - t0;
  const failed = answers.filter((a) => a.status !== 200 || !a.last.includes('"done":true'));
  expect(failed).toEqual([]);
  const records = await Promise.all(answers.map((a) => lens.waitForRecord((r) => r.id === a.id, 30_000)));
  expect(records.filter((r) => r.status !== 'success')).toEqual([]);
  const waits = answers.map((a) => a.headersMs).sort((a, b) => a - b);
  // For the report: how long the queue was.
  console.log(
    `${STREAMS} streams in ${Math.round(wallMs)} ms; wait for headers p50 ${Math.round(waits[STREAMS / 2])} ms, max ${Math.round(waits[STREAMS - 1])} ms`
  );
}, 300_000);
