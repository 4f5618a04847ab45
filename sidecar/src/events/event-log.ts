/**
 * The sidecar's event log: gathers events from the Ollama polls, from forwarded requests and from the
 * sidecar itself, keeps the latest in memory (the status line reads them) and hands them to the store.
 * Runs on the proxy's thread, so every step is a few comparisons; the store writes in its own thread.
 */
import type { EventDetail, LensEvent } from '@ollama-lens/contracts';
import type { StoreStats } from '../metrics/store-stats';
import type { OllamaSnapshot } from '../metrics/ollama-collector';
import type { MeasurementRecord, RecordSink } from '../tap/record';
import { OllamaEventDetector, recordEvents } from './detect';

/** Where events go to be kept (the store's writer thread). */
export interface EventSink {
  writeEvents(events: LensEvent[]): void;
}

/** Events kept in memory for the status line. */
const RECENT_EVENTS = 50;
/** While the store keeps dropping, one event per this long says so (not one per dropped record). */
export const DROP_EVENT_INTERVAL_MS = 60_000;

type Counts = Map<string, number>;

function dropCounts(stats: StoreStats): Counts {
  return new Map(Object.entries(stats.dropped));
}

function restartCounts(stats: StoreStats): Counts {
  return new Map((stats.threadRestarts ?? []).map((r) => [`${r.thread}\t${r.reason}`, r.count]));
}

/** What grew between two readings of monotonic counters (a key absent before counts from 0). */
function growth(before: Counts, after: Counts): [string, number][] {
  const out: [string, number][] = [];
  for (const [key, n] of after) {
    const delta = n - (before.get(key) ?? 0);
    if (delta > 0) out.push([key, delta]);
  }
  return out;
}

/** Store events from two readings of the store's counters: drops (rate-limited) and thread restarts. */
export class StoreEventWatch {
  private drops: Counts | undefined;
  private restarts: Counts | undefined;
  private lastDropEventAt = -Infinity;
  /** Drops seen since the last drop event, by reason, waiting for the interval to pass. */
  private pendingDrops = new Map<string, number>();

  observe(stats: StoreStats, at: number): LensEvent[] {
    const out: LensEvent[] = [];
    const drops = dropCounts(stats);
    const restarts = restartCounts(stats);
    if (this.drops)
      for (const [reason, n] of growth(this.drops, drops))
        this.pendingDrops.set(reason, (this.pendingDrops.get(reason) ?? 0) + n);
    if (this.pendingDrops.size > 0 && at - this.lastDropEventAt >= DROP_EVENT_INTERVAL_MS) {
      const details: Record<string, EventDetail> = Object.fromEntries(this.pendingDrops);
      details.dropped = [...this.pendingDrops.values()].reduce((a, b) => a + b, 0);
      out.push({ at, type: 'store_dropping', model: null, details });
      this.pendingDrops.clear();
      this.lastDropEventAt = at;
    }
    if (this.restarts) {
      for (const [key, n] of growth(this.restarts, restarts)) {
        const [thread, reason] = key.split('\t');
        out.push({ at, type: 'thread_restarted', model: null, details: { thread, reason, count: n } });
      }
    }
    this.drops = drops;
    this.restarts = restarts;
    return out;
  }
}

export interface EventLogOptions {
  sink: EventSink;
  onError?: (err: unknown) => void;
}

export class EventLog implements RecordSink {
  readonly name = 'events';
  private readonly ollama = new OllamaEventDetector();
  private readonly store = new StoreEventWatch();
  private readonly latest: LensEvent[] = [];

  constructor(private readonly opts: EventLogOptions) {}

  /** The latest events, newest first. */
  recent(): readonly LensEvent[] {
    return this.latest;
  }

  emit(events: LensEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.latest.unshift(e);
    this.latest.sort((a, b) => b.at - a.at);
    this.latest.length = Math.min(this.latest.length, RECENT_EVENTS);
    try {
      this.opts.sink.writeEvents(events);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  record(r: MeasurementRecord): void {
    const events = recordEvents(r);
    if (r.error_type === 'upstream_unreachable') events.push(...this.ollama.unreachable(r.ended_at));
    this.emit(events);
  }

  observeOllama(snapshot: OllamaSnapshot, at = Date.now()): void {
    this.emit(this.ollama.observe(snapshot, at));
  }

  observeStore(stats: StoreStats, at = Date.now()): void {
    this.emit(this.store.observe(stats, at));
  }

  /** The sidecar started, with the settings that explain its behaviour (never a secret). */
  started(details: Record<string, EventDetail>, at = Date.now()): void {
    this.emit([{ at, type: 'sidecar_started', model: null, details }]);
  }
}
