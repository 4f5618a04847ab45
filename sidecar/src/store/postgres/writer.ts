import type { MeasurementRecord } from '../../tap/record';
import { prepareRow, type PreparedRow } from '../row';
import { DEFAULT_BATCH_SIZE, type WriterOptions, type WriterStats } from '../writer';
import type { PgStore } from './store';

/**
 * The PostgreSQL store's batch writer: the same contract as writer.ts StoreWriter (a bounded queue,
 * batches every batchMs or when full, drops counted, never a throw into the caller), with the writes
 * asynchronous. One batch is in flight at a time; records arriving meanwhile queue up to queueSize,
 * so a slow or absent database costs queue_full drops, and a failing batch store_error drops, and
 * nothing else: the next batch tries again (pg opens a new connection when the server is back).
 */
export class PgWriter {
  private queue: MeasurementRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  private readonly batchSize: number;
  readonly stats: WriterStats = { written: 0, dropped: { queue_full: 0, store_error: 0 }, queueDepth: 0 };
  lastError: { message: string; at: number } | undefined;

  constructor(
    private readonly store: PgStore,
    private readonly opts: WriterOptions
  ) {
    this.batchSize = Math.max(1, Math.min(opts.batchSize ?? DEFAULT_BATCH_SIZE, opts.queueSize));
  }

  record(r: MeasurementRecord): void {
    if (this.closed) {
      this.stats.dropped.store_error++;
      return;
    }
    if (this.queue.length >= this.opts.queueSize) {
      this.stats.dropped.queue_full++;
      return;
    }
    this.queue.push(r);
    this.stats.queueDepth = this.queue.length;
    if (this.queue.length >= this.batchSize) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, this.opts.batchMs);
      this.timer.unref();
    }
  }

  /** Starts writing if nothing is in flight; keeps going while records wait. */
  private kick(): void {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.writeBatch().finally(() => {
      this.inFlight = undefined;
      if (this.queue.length >= this.batchSize) this.kick();
      else if (this.queue.length > 0 && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.kick();
        }, this.opts.batchMs);
        this.timer.unref();
      }
    });
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.batchSize);
    this.stats.queueDepth = this.queue.length;
    const rows: PreparedRow[] = [];
    for (const r of batch) {
      try {
        rows.push(prepareRow(r, this.opts));
      } catch (err) {
        this.stats.dropped.store_error++;
        this.fail(err, 1);
      }
    }
    if (rows.length === 0) return;
    try {
      this.stats.written += await this.store.insert(rows);
      this.lastError = undefined;
    } catch (err) {
      // Unlike SQLite, a bad value is refused by PostgreSQL for the whole statement; but the rows are
      // prepared from typed records, so a failure here is the database's (down, full, timeout).
      this.stats.dropped.store_error += rows.length;
      this.fail(err, rows.length);
    }
  }

  private fail(err: unknown, dropped: number): void {
    this.lastError = { message: err instanceof Error ? err.message : String(err), at: Date.now() };
    try {
      this.opts.onError?.(err, dropped);
    } catch {
      // a failing logger must not break the writer
    }
  }

  /** Writes everything queued now (resolves when written or dropped). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (;;) {
      if (this.inFlight) await this.inFlight;
      else if (this.queue.length > 0) this.kick();
      else return;
    }
  }

  /** Flushes and stops accepting records (later ones count as store errors). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }
}
