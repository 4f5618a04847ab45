/**
 * Where the status line reads each signal: the store's windows (a reader thread), Ollama's state, the
 * host and the GPUs (the live signals), the queue (the metrics' in-flight table), the store's own
 * health and the latest events. A part that is off is simply not read.
 */
import type { EventLog } from '../events/event-log';
import type { InFlight } from '../metrics/recorder';
import type { LiveSignals } from '../metrics/signals';
import type { StoreThreads } from '../store/threads/store-threads';
import type { SignalReaders } from './status-service';

export interface StatusParts {
  store: StoreThreads | null;
  signals: LiveSignals | null;
  events: EventLog | null;
  /** Fed only when the metrics are on; otherwise the queue is unknown. */
  inFlight: InFlight | null;
  ollamaNumParallel: number;
}

export function signalReaders(parts: StatusParts): SignalReaders {
  const { store, signals, events, inFlight } = parts;
  let droppedBefore: number | undefined;
  const dropped = () => {
    const s = store!.stats.dropped;
    return Object.values(s).reduce((a, b) => a + b, 0);
  };
  return {
    windows: store
      ? (at, windowMinutes) => store.readers.query('statusWindows', at, windowMinutes)
      : undefined,
    queue: inFlight
      ? () => ({ waiting: inFlight.queueDepth(parts.ollamaNumParallel), slots: parts.ollamaNumParallel })
      : undefined,
    ollama: signals
      ? () => {
          const s = signals.ollama.snapshot;
          return s && { up: s.up, version: s.version, running: s.running };
        }
      : undefined,
    gpus: () => signals?.gpu.readings ?? [],
    host: signals ? () => signals.host.snapshot : undefined,
    store: store
      ? () => {
          // Drops since the previous refresh: a store that dropped once, long ago, is not news.
          const now = dropped();
          const droppedRecently = droppedBefore === undefined ? 0 : now - droppedBefore;
          droppedBefore = now;
          return { droppedRecently, failing: store.writer.openError !== undefined };
        }
      : undefined,
    events: () => events?.recent() ?? [],
  };
}
