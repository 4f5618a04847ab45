import type { LensEvent } from '@ollama-lens/contracts';
import { recordOf } from '@ollama-lens/testkit/records';
import type { StoreStats } from '../metrics/store-stats';
import { DROP_EVENT_INTERVAL_MS, EventLog, StoreEventWatch } from './event-log';

const T = 1_790_000_000_000;
const stats = (queueFull: number, storeError = 0, writerRestarts = 0): StoreStats => ({
  written: 0,
  dropped: { queue_full: queueFull, store_error: storeError },
  queueDepth: 0,
  threadRestarts: writerRestarts ? [{ thread: 'writer', reason: 'crash', count: writerRestarts }] : [],
});

describe('store events from its counters', () => {
  it('drops: one event per interval while they go on, with the count by reason', () => {
    const w = new StoreEventWatch();
    expect(w.observe(stats(5), T)).toEqual([]); // the first reading is the baseline
    expect(w.observe(stats(5), T + 1000)).toEqual([]);
    expect(w.observe(stats(12, 1), T + 2000)).toEqual([
      {
        at: T + 2000,
        type: 'store_dropping',
        model: null,
        details: { queue_full: 7, store_error: 1, dropped: 8 },
      },
    ]);
    expect(w.observe(stats(20, 1), T + 3000)).toEqual([]); // within the interval: kept for the next event
    const [next] = w.observe(stats(21, 1), T + 2000 + DROP_EVENT_INTERVAL_MS);
    expect(next.details).toEqual({ queue_full: 9, dropped: 9 });
  });

  it('a thread restart', () => {
    const w = new StoreEventWatch();
    w.observe(stats(0), T);
    expect(w.observe(stats(0, 0, 1), T + 1)).toEqual([
      {
        at: T + 1,
        type: 'thread_restarted',
        model: null,
        details: { thread: 'writer', reason: 'crash', count: 1 },
      },
    ]);
  });
});

describe('the event log', () => {
  it('hands events to the sink and keeps the latest, newest first', () => {
    const written: LensEvent[] = [];
    const log = new EventLog({ sink: { writeEvents: (e) => written.push(...e) } });
    log.started({ version: '0.1.0', store: true }, T);
    log.record(
      recordOf({ started_at: T + 5, requested_model: 'tiny', timings: { load_duration_ns: 300e6 } })
    );
    expect(written.map((e) => e.type)).toEqual(['sidecar_started', 'cold_start']);
    expect(log.recent().map((e) => e.type)).toEqual(['cold_start', 'sidecar_started']);
  });

  it('a request that cannot reach Ollama marks it down', () => {
    const written: LensEvent[] = [];
    const log = new EventLog({ sink: { writeEvents: (e) => written.push(...e) } });
    log.observeOllama({ up: true, version: '0.10.1', running: [], installed: [] }, T);
    log.record(recordOf({ status: 'error', http_status: 502, error_type: 'upstream_unreachable' }));
    expect(written.map((e) => [e.type, e.details.source])).toEqual([['ollama_down', 'traffic']]);
  });

  it('a sink that throws is reported, never thrown to the proxy', () => {
    const errors: unknown[] = [];
    const log = new EventLog({
      sink: {
        writeEvents: () => {
          throw new Error('store closed');
        },
      },
      onError: (e) => errors.push(e),
    });
    expect(() => log.started({}, T)).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
