/**
 * The messages between the proxy's thread and the store's threads (worker_threads). The proxy's thread
 * only forwards and hands records over; the writer thread owns every write to SQLite and the reader
 * threads run every analytics query, each on its own connection (WAL lets them work side by side).
 */
import type { LensEvent } from '@ollama-lens/contracts';
import type { MeasurementRecord } from '../../tap/record';
import type { ReadQueries } from './reader-thread';

/** What the writer thread needs to open the store and prepare rows (plain data: it crosses threads). */
export interface WriterInit {
  dbPath: string;
  queueSize: number;
  batchMs: number;
  captureContent: boolean;
  redact: boolean;
  redactPatterns: string[];
  retentionDays: number;
  maxDbMb: number;
  /** This sidecar's instance name, stored as each message's host. */
  host: string;
  /** How often the thread reports its counters while busy (ms). */
  statsIntervalMs: number;
}

export interface ReaderInit {
  dbPath: string;
  /** The query budget (ms): a PostgreSQL reader sets it as its statement_timeout. */
  queryTimeoutMs?: number;
  /** Queries the pool may send before the first answers (ReaderPoolOptions.perThread): a PostgreSQL reader's connections. */
  connections?: number;
}

/** Commands the writer thread runs besides writing records (data management routes). */
export type WriterCommand =
  | { op: 'deleteBefore'; before: number }
  | { op: 'deleteAll' }
  | { op: 'deleteById'; id: string }
  | { op: 'ping' }
  /** Writes everything received so far and reports the counters (shutdown, tests). */
  | { op: 'flush' };

export type ToWriter =
  /**
   * The records of one event-loop turn, structured-cloned: their strings are copied once, into the
   * message, which the thread then owns (bench/record-path.ts: cheaper than JSON text transferred as
   * a buffer, which copies twice); one message per turn saves the per-message cost under load.
   */
  | { type: 'records'; records: MeasurementRecord[] }
  /** Events of the event log (a few an hour), written at once. */
  | { type: 'events'; events: LensEvent[] }
  | { type: 'command'; id: number; command: WriterCommand }
  | { type: 'close' };

/** The writer thread's counters (monotonic since the thread started, except queueDepth). */
export interface WriterThreadStats {
  /** Records received from the proxy's thread. */
  received: number;
  written: number;
  storeErrors: number;
  queueFull: number;
  /** Records received and not yet written or dropped. */
  queueDepth: number;
  lastError?: { message: string; at: number };
}

export type FromWriter =
  | { type: 'ready' }
  | { type: 'open_failed'; message: string }
  | { type: 'stats'; stats: WriterThreadStats }
  | { type: 'reply'; id: number; result?: number | boolean; error?: ThreadError }
  | {
      type: 'log';
      level: 'info' | 'warn' | 'error';
      msg: string;
      err?: ThreadError;
      fields?: Record<string, unknown>;
    }
  | { type: 'closed'; stats: WriterThreadStats };

/** How a query failed, decided in the thread (where the error classes are known). */
export interface ThreadError {
  kind: 'bad_request' | 'unavailable' | 'internal';
  message: string;
  code?: string;
}

export type QueryName = keyof ReadQueries;
type Tail<T extends readonly unknown[]> = T extends readonly [unknown, ...infer R] ? R : never;
/** A query's arguments after the store (which the reader thread supplies). */
export type QueryArgs<K extends QueryName> = Tail<Parameters<ReadQueries[K]>>;
/** What a query answers (awaited: a backend's queries may be asynchronous). */
export type QueryResult<K extends QueryName> = Awaited<ReturnType<ReadQueries[K]>>;

export interface QueryRequest {
  id: number;
  name: QueryName;
  args: unknown[];
}

export type FromReader =
  | { type: 'ready' }
  | { type: 'open_failed'; message: string }
  | { type: 'result'; id: number; result?: unknown; error?: ThreadError };
