import { DAY_MS } from './aggregate';
import { DELETE_CHUNK, type MessageStore } from './store';

export interface RetentionOptions {
  /** Delete messages older than this many days; 0 keeps them forever. */
  retentionDays: number;
  /** Keep the data under this many MiB by deleting the oldest messages; 0 = no limit. */
  maxDbMb: number;
  /** How often the background pass runs (default: every minute). */
  intervalMs?: number;
  onError?: (err: unknown) => void;
  onDeleted?: (deleted: number, reason: 'age' | 'size') => void;
}

/** Size retention deletes down to this fraction of the limit, so it does not run on every pass. */
const SIZE_TARGET = 0.9;

/**
 * Background retention: by age and by size, deleting the oldest messages in small chunks (one short
 * transaction each, the event loop free in between). The timer is unref'd: it never keeps the
 * process alive.
 */
export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: MessageStore,
    private readonly opts: RetentionOptions
  ) {}

  get enabled(): boolean {
    return this.opts.retentionDays > 0 || this.opts.maxDbMb > 0;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    const every = this.opts.intervalMs ?? 60_000;
    // First pass soon after start (an old database may be far over its limits), then periodically.
    this.timer = setTimeout(() => this.tick(every), Math.min(every, 1000));
    this.timer.unref();
  }

  private tick(every: number): void {
    this.runOnce().finally(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(every), every);
      this.timer.unref();
    });
  }

  /** One retention pass (also callable directly). Concurrent calls share the running pass. */
  runOnce(now = Date.now()): Promise<void> {
    if (!this.running) {
      this.running = this.pass(now)
        .catch((err: unknown) => this.opts.onError?.(err))
        .finally(() => {
          this.running = undefined;
        });
    }
    return this.running;
  }

  private async pass(now: number): Promise<void> {
    let deleted = 0;
    if (this.opts.retentionDays > 0) {
      const cutoff = now - this.opts.retentionDays * DAY_MS;
      // Events age out with the messages they explain (a few rows: one statement).
      this.store.deleteEventsBefore(cutoff);
      let byAge = 0;
      for (;;) {
        if (this.stopped || !this.store.isOpen) return;
        const n = this.store.deleteOlderChunk(cutoff);
        byAge += n;
        if (n < DELETE_CHUNK) break;
        await yieldToLoop();
      }
      if (byAge > 0) this.opts.onDeleted?.(byAge, 'age');
      deleted += byAge;
    }
    if (this.opts.maxDbMb > 0) {
      const limit = this.opts.maxDbMb * 1024 * 1024;
      let bySize = 0;
      let used = this.store.usedBytes();
      if (used > limit) {
        let count = this.store.count();
        while (used > limit * SIZE_TARGET && count > 0) {
          if (this.stopped || !this.store.isOpen) return;
          // Estimate how many of the oldest rows free enough space, then re-measure.
          const want = Math.ceil((used - limit * SIZE_TARGET) / (used / count));
          const n = this.store.deleteOldestChunk(Math.max(1, Math.min(DELETE_CHUNK, want)));
          if (n === 0) break;
          bySize += n;
          count -= n;
          used = this.store.usedBytes();
          await yieldToLoop();
        }
      }
      if (bySize > 0) this.opts.onDeleted?.(bySize, 'size');
      deleted += bySize;
    }
    if (deleted > 0 && this.store.isOpen) this.store.reclaim();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

function yieldToLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
