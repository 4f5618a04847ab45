import type { Config } from '../../config';
import type { StoreStats } from '../../metrics/store-stats';
import { isPostgresUrl } from '../postgres/url';
import type { WriterCommand } from './protocol';
import { ReaderPool } from './reader-pool';
import type { ThreadLog, RestartReason, StoreThread } from './thread-events';
import { WriterClient } from './writer-client';

/** How long a data-management command (delete) may take in the writer thread. */
const COMMAND_TIMEOUT_MS = 120_000;
/**
 * Queries a PostgreSQL reader thread runs at once (a connection each): the Explorer sends seven
 * together, and a reader mostly waits on the database, so 2 readers × 4 let the short ones through
 * while the aggregations run.
 */
const PG_QUERIES_PER_READER = 4;

/**
 * The message store as the proxy's thread sees it: a writer thread fed by the tap, and a pool of reader
 * threads for the analytics API. Built once in app.ts and handed to the plugins that use it.
 */
export class StoreThreads {
  readonly writer: WriterClient;
  readonly readers: ReaderPool;
  private readonly restartCounts = new Map<
    string,
    { thread: StoreThread; reason: RestartReason; count: number }
  >();

  constructor(config: Config, log: ThreadLog) {
    const onRestart = (thread: StoreThread, reason: RestartReason) => {
      const key = `${thread}:${reason}`;
      const entry = this.restartCounts.get(key) ?? { thread, reason, count: 0 };
      entry.count++;
      this.restartCounts.set(key, entry);
    };
    this.writer = new WriterClient({
      init: {
        dbPath: config.dbPath,
        queueSize: config.queueSize,
        batchMs: config.batchMs,
        captureContent: config.captureContent,
        redact: config.redact,
        redactPatterns: config.redactPatterns,
        retentionDays: config.retentionDays,
        maxDbMb: config.maxDbMb,
        host: config.instance,
      },
      memoryMb: config.workerMemoryMb,
      log,
      onRestart,
    });
    this.readers = new ReaderPool({
      dbPath: config.dbPath,
      size: config.queryWorkers,
      perThread: isPostgresUrl(config.dbPath) ? PG_QUERIES_PER_READER : 1,
      timeoutMs: config.queryTimeoutMs,
      memoryMb: config.workerMemoryMb,
      log,
      onRestart,
      storeReady: this.writer.whenReady(),
    });
  }

  /** Resolves once the writer has opened (and migrated) the store and the readers are up. */
  async whenReady(): Promise<void> {
    await this.writer.whenReady();
    if (!this.writer.openError) await this.readers.whenReady();
  }

  /** Runs a data-management command (delete) in the writer thread. */
  command(command: WriterCommand): Promise<number | boolean> {
    return this.writer.command(command, COMMAND_TIMEOUT_MS);
  }

  /** Resolves when every record handed over so far is written (or counted as dropped). */
  async flush(): Promise<void> {
    await this.writer.command({ op: 'flush' }, COMMAND_TIMEOUT_MS);
  }

  get stats(): StoreStats {
    return { ...this.writer.stats, threadRestarts: [...this.restartCounts.values()].map((e) => ({ ...e })) };
  }

  /** The store's health for /readyz: degraded never stops forwarding, so it is reported, not enforced. */
  async health(): Promise<{ ok: boolean; detail: Record<string, unknown> }> {
    const s = this.writer.stats;
    const detail: Record<string, unknown> = {
      queue_depth: s.queueDepth,
      written: s.written,
      dropped: s.dropped,
      thread_restarts: this.writer.restarts,
    };
    const openError = this.writer.openError;
    if (openError) return { ok: false, detail: { ...detail, error: openError } };
    try {
      await this.writer.command({ op: 'ping' }, 2000);
    } catch (err) {
      return { ok: false, detail: { ...detail, error: (err as Error).message } };
    }
    const last = this.writer.lastError;
    if (last) return { ok: false, detail: { ...detail, error: last.message, since: last.at } };
    return { ok: true, detail };
  }

  /** Stops the readers, then lets the writer write everything it was handed and closes the store. */
  async close(): Promise<void> {
    await this.readers.close();
    await this.writer.close();
  }
}
