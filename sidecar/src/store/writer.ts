import type { MeasurementRecord, RecordSink } from '../tap/record';
import { prepareRow, type PreparedRow, type RowOptions } from './row';
import type { MessageStore } from './store';

export const DROP_REASONS = ['queue_full', 'store_error'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface WriterStats {
  written: number;
  dropped: Record<DropReason, number>;
  queueDepth: number;
}

export interface WriterOptions extends RowOptions {
  /** Records waiting before new ones are dropped (config.queueSize). */
  queueSize: number;
  /** Longest a record waits before its batch is written (config.batchMs). */
  batchMs: number;
  /** Records per transaction; a full batch is written at once, without waiting for batchMs. */
  batchSize?: number;
  /** Called (rate-limited by the caller if it wishes) when a batch could not be written. */
  onError?: (err: unknown, dropped: number) => void;
}

export const DEFAULT_BATCH_SIZE = 1000;

/**
 * Errors caused by one row's values (a constraint, a value SQLite cannot bind) rather than by the
 * store (full, read-only, I/O): only these are worth retrying row by row.
 */
function rowSpecific(err: unknown): boolean {
  // By name, not instanceof: better-sqlite3's binding errors come from another realm under jest's VM.
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TypeError' || name === 'RangeError') return true;
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG')
  );
}

/**
 * The store's RecordSink: `record()` only appends to a bounded in-memory queue (the request path never
 * waits for SQLite); batches are written in one transaction each, every `batchMs` or as soon as a
 * batch is full. Nothing here throws into the request: a full queue or a failing store only raises
 * the drop counters. `close()` writes everything still queued.
 */
export class StoreWriter implements RecordSink {
  readonly name = 'store';
  private queue: MeasurementRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private readonly batchSize: number;
  readonly stats: WriterStats = { written: 0, dropped: { queue_full: 0, store_error: 0 }, queueDepth: 0 };
  /** The last write failure, cleared by the next successful batch (for /readyz). */
  lastError: { message: string; at: number } | undefined;

  /** `store` is null when the database could not be opened: every record counts as a store error. */
  constructor(
    private readonly store: MessageStore | null,
    private readonly opts: WriterOptions
  ) {
    this.batchSize = Math.max(1, Math.min(opts.batchSize ?? DEFAULT_BATCH_SIZE, opts.queueSize));
  }

  record(r: MeasurementRecord): void {
    if (this.closed || !this.store) {
      this.stats.dropped.store_error++;
      return;
    }
    if (this.queue.length >= this.opts.queueSize) {
      this.stats.dropped.queue_full++;
      return;
    }
    this.queue.push(r);
    this.stats.queueDepth = this.queue.length;
    if (!this.timer) {
      this.timer = setTimeout(() => this.onTimer(), this.opts.batchMs);
      this.timer.unref();
    }
    if (this.queue.length >= this.batchSize && !this.immediate) {
      this.immediate = setImmediate(() => this.onFull());
    }
  }

  private onFull(): void {
    this.immediate = undefined;
    if (this.queue.length < this.batchSize) return;
    this.writeBatch();
    // One batch per turn of the event loop, so a burst never holds requests up for long.
    if (this.queue.length >= this.batchSize) this.immediate = setImmediate(() => this.onFull());
  }

  private onTimer(): void {
    this.timer = undefined;
    this.drainStep();
  }

  /** Writes everything queued at the timer, one batch per event-loop turn. */
  private drainStep(): void {
    if (this.queue.length === 0) return;
    this.writeBatch();
    if (this.queue.length > 0 && !this.timer) {
      this.timer = setTimeout(() => this.onTimer(), 0);
      this.timer.unref();
    }
  }

  /** Writes one batch synchronously. */
  private writeBatch(): void {
    const batch = this.queue.splice(0, this.batchSize);
    this.stats.queueDepth = this.queue.length;
    if (batch.length === 0 || !this.store) return;
    const rows: PreparedRow[] = [];
    for (const r of batch) {
      try {
        rows.push(prepareRow(r, this.opts));
      } catch (err) {
        // One malformed record costs only itself.
        this.stats.dropped.store_error++;
        this.fail(err, 1);
      }
    }
    if (rows.length > 0) this.writeRows(this.store, rows);
  }

  private writeRows(store: MessageStore, rows: PreparedRow[]): void {
    try {
      // Duplicate ids (the same record twice) are skipped by the store and not counted.
      this.stats.written += store.insert(rows);
      this.lastError = undefined;
    } catch (err) {
      if (rows.length > 1 && rowSpecific(err)) {
        // One bad row must not cost its whole batch: retry them one by one.
        for (const row of rows) this.writeRows(store, [row]);
        return;
      }
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

  /** Writes everything queued now (synchronously). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    while (this.queue.length > 0) this.writeBatch();
  }

  /** Flushes and stops accepting records (later ones count as store errors). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }
}
