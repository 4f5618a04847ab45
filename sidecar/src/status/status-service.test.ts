import type { StatusFact } from '@ollama-lens/contracts';
import { StatusService, type SignalReaders } from './status-service';

const readers = (over: Partial<SignalReaders> = {}): SignalReaders => ({
  windows: async () => ({
    recent: { requests: 40, errors: 20, topErrorType: 'upstream_error' },
    baseline: { requests: 0, errors: 0 },
  }),
  gpus: () => [],
  events: () => [],
  ...over,
});
const opts = { refreshMs: 60_000, windowMinutes: 5 };

describe('the status service', () => {
  it('the rules line from the signals, cached until the next refresh', async () => {
    let calls = 0;
    const s = new StatusService(
      readers({
        windows: async () => {
          calls++;
          return { recent: { requests: 40, errors: 20 }, baseline: { requests: 0, errors: 0 } };
        },
      }),
      opts
    );
    const first = await s.current();
    expect(first).toMatchObject({
      level: 'critical',
      source: 'rules',
      line: '50 % of requests failing · 40 requests in 5 min',
    });
    expect(first.facts.map((f) => f.id)).toEqual(['errors', 'activity']);
    await s.current();
    expect(calls).toBe(1);
  });

  it("the model's line when it gives one, the rules' line when it fails or gives nothing", async () => {
    const seen: StatusFact[][] = [];
    const phrased = new StatusService(readers(), {
      ...opts,
      phraser: {
        phrase: async (facts) => {
          seen.push([...facts]);
          return 'Half of all requests fail upstream.';
        },
      },
    });
    expect(await phrased.current()).toMatchObject({
      line: 'Half of all requests fail upstream.',
      source: 'model',
      level: 'critical',
    });
    expect(seen[0].map((f) => f.id)).toEqual(['errors', 'activity']);

    const errors: string[] = [];
    const failing = new StatusService(readers(), {
      ...opts,
      phraser: { phrase: () => Promise.reject(new Error('timeout')) },
      onError: (_err, what) => errors.push(what),
    });
    expect(await failing.current()).toMatchObject({ source: 'rules' });
    expect(errors).toEqual(['phrasing the status line']);
    const empty = new StatusService(readers(), { ...opts, phraser: { phrase: async () => undefined } });
    expect((await empty.current()).source).toBe('rules');
  });

  it('a store that cannot be read leaves its facts out, the line is still there', async () => {
    const errors: string[] = [];
    const s = new StatusService(
      readers({ windows: () => Promise.reject(new Error('store closed')), ollama: () => ({ up: false }) }),
      {
        ...opts,
        onError: (_e, what) => errors.push(what),
      }
    );
    expect(await s.current()).toMatchObject({
      level: 'critical',
      line: 'Ollama is down · Idle: no requests in 5 min',
    });
    expect(errors).toEqual(['reading the store for the status line']);
  });
});
