import { recordOf } from '@ollama-lens/testkit/records';
import { tempStore, type TempStore } from '../../test/store/helpers';
import { statusWindows, windowStats } from './status-window';

const AT = 1_790_000_000_000;
const MIN = 60_000;

describe("the status line's windows over the store", () => {
  let t: TempStore;
  beforeAll(() => {
    t = tempStore();
    t.add([
      // The recent 5 minutes: 20 generations 100…2000 ms, two of them failing, and a model list.
      ...Array.from({ length: 20 }, (_, i) =>
        recordOf({
          started_at: AT - 4 * MIN + i * 1000,
          duration_ms: (i + 1) * 100,
          timings: { eval_count: 50, eval_duration_ns: 1e9 },
          ...(i < 2
            ? { status: 'error' as const, http_status: 404, error_type: 'model_not_found' as const }
            : {}),
        })
      ),
      recordOf({ started_at: AT - MIN, endpoint: '/api/tags', method: 'GET', duration_ms: 60_000 }),
      // A client that gave up: counted as a request, not as a failure.
      recordOf({
        started_at: AT - MIN,
        endpoint: '/api/ps',
        status: 'cancelled',
        error_type: 'cancelled',
        http_status: 499,
      }),
      // The hour before: 30 quick generations.
      ...Array.from({ length: 30 }, (_, i) =>
        recordOf({ started_at: AT - 40 * MIN + i * 1000, duration_ms: 50 })
      ),
      // Outside both windows.
      recordOf({ started_at: AT - 2 * 60 * MIN, duration_ms: 99_999 }),
    ]);
  });
  afterAll(() => t.cleanup());

  it('counts, the top error type, p95 and speed of the generations only', () => {
    const { recent, baseline } = statusWindows(t.store.db, AT, 5);
    expect(recent).toEqual({
      requests: 22,
      errors: 2,
      topErrorType: 'model_not_found',
      // Nearest rank 19 of the 20 generation durations; the slow model list does not count.
      p95Ms: 1900,
      tokensPerSecond: expect.closeTo(50, 6),
    });
    expect(baseline).toMatchObject({ requests: 30, errors: 0, p95Ms: 50 });
  });

  it('an empty window has no latency or speed', () => {
    expect(windowStats(t.store.db, AT + MIN, AT + 2 * MIN)).toEqual({ requests: 0, errors: 0 });
  });
});
