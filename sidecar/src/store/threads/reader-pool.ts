import type { Worker } from 'node:worker_threads';
import type { FromReader, QueryArgs, QueryName, QueryRequest, QueryResult } from './protocol';
import { spawnThread } from './spawn';
import { StoreThreadError, type ThreadEvents } from './thread-events';

export interface ReaderPoolOptions extends ThreadEvents {
  dbPath: string;
  /** Reader threads at most (started on first use). */
  size: number;
  /**
   * Queries one reader runs at once: 1 for SQLite (a synchronous connection); more for PostgreSQL, whose
   * reader mostly waits on the database with a connection per query, so a short query never queues
   * behind a long one on the same thread. Default 1.
   */
  perThread?: number;
  /** Budget of one query once a reader runs it (ms); a query may also wait this long for a reader. */
  timeoutMs: number;
  /** JS heap limit of each reader thread (MiB). */
  memoryMb: number;
  /** Queries waiting for a reader before new ones are refused. */
  maxWaiting?: number;
  /** Resolves when the store is open and migrated: no reader opens it before. */
  storeReady: Promise<void>;
}

interface Task {
  request: QueryRequest;
  /** Latest time it may still start. */
  deadline: number;
  resolve(result: unknown): void;
  reject(err: StoreThreadError): void;
}

interface Running {
  task: Task;
  timer: NodeJS.Timeout;
}

interface Reader {
  worker: Worker;
  ready: boolean;
  /** The queries it runs now, by request id. */
  running: Map<number, Running>;
}

/**
 * Analytics queries on a pool of reader threads. Each query has a budget: a query that waits longer
 * than it for a reader is refused, and one that runs longer is refused too. On SQLite its thread is
 * terminated (SQLite offers no safe way to interrupt a statement from another thread) and a fresh
 * reader takes its place; on PostgreSQL the database cancels the statement itself at the same budget
 * (the reader's statement_timeout), so the thread and its other queries go on. A reader that reaches its heap limit (resourceLimits) fails its query alone. That limit is
 * best effort in Node: one single allocation far past it (a huge array grown in one go) can still
 * abort the process, so every input that could size an allocation is bounded where it is parsed.
 * The proxy's thread only posts and receives.
 */
export class ReaderPool {
  private readers: Reader[] = [];
  private waiting: Task[] = [];
  private nextId = 1;
  private closed = false;
  private waitTimer: NodeJS.Timeout | undefined;

  private started = false;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly opts: ReaderPoolOptions) {
    // Warm: every reader starts as soon as the store is open, so no query waits for a thread to boot.
    void opts.storeReady.then(() => {
      this.started = true;
      this.fill();
    });
  }

  /** Resolves when every reader is up (tests; queries never need to wait for this). */
  whenReady(): Promise<void> {
    if (this.allReady()) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private allReady(): boolean {
    return (
      this.closed ||
      (this.started && this.readers.length === this.opts.size && this.readers.every((r) => r.ready))
    );
  }

  /** Brings the pool back to its size (after a reader was replaced). */
  private fill(): void {
    while (this.started && !this.closed && this.readers.length < this.opts.size) this.spawn();
  }

  query<K extends QueryName>(name: K, ...args: QueryArgs<K>): Promise<QueryResult<K>> {
    if (this.closed)
      return Promise.reject(new StoreThreadError('unavailable', 'the message store is closing'));
    if (this.waiting.length >= (this.opts.maxWaiting ?? 64))
      return Promise.reject(
        new StoreThreadError(
          'unavailable',
          `too many analytics queries waiting (${this.waiting.length}); try again shortly`
        )
      );
    return new Promise((resolve, reject) => {
      this.waiting.push({
        request: { id: this.nextId++, name, args },
        deadline: Date.now() + this.opts.timeoutMs,
        resolve: resolve as (r: unknown) => void,
        reject,
      });
      this.dispatch();
    });
  }

  /** Threads running now. */
  get threads(): number {
    return this.readers.length;
  }

  /** The threads running a query now (of that name, if given), for tests that kill one. */
  busyThreadsForTests(query?: QueryName): Worker[] {
    return this.readers
      .filter((r) =>
        [...r.running.values()].some((x) => query === undefined || x.task.request.name === query)
      )
      .map((r) => r.worker);
  }

  /** Queries running now. */
  get busy(): number {
    return this.readers.reduce((n, r) => n + r.running.size, 0);
  }

  private get perThread(): number {
    return Math.max(1, this.opts.perThread ?? 1);
  }

  private dispatch(): void {
    if (this.closed) return;
    for (;;) {
      const task = this.waiting[0];
      if (!task) break;
      // The least busy reader with room: queries spread over the threads before doubling up.
      let idle: Reader | undefined;
      for (const r of this.readers)
        if (r.ready && r.running.size < this.perThread && (!idle || r.running.size < idle.running.size))
          idle = r;
      if (!idle) {
        this.fill();
        break;
      }
      this.waiting.shift();
      this.run(idle, task);
    }
    this.armWaitTimer();
  }

  /** Refuses queries that used up their budget while waiting for a reader. */
  private armWaitTimer(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    const first = this.waiting[0];
    if (!first) return;
    this.waitTimer = setTimeout(
      () => {
        const now = Date.now();
        const expired = this.waiting.filter((t) => t.deadline <= now);
        this.waiting = this.waiting.filter((t) => t.deadline > now);
        for (const t of expired)
          t.reject(
            new StoreThreadError(
              'timeout',
              `the analytics query waited ${this.opts.timeoutMs} ms for a free reader (${this.busy} queries running on ${this.opts.size} readers); try again shortly`
            )
          );
        this.armWaitTimer();
      },
      Math.max(0, Math.min(...this.waiting.map((t) => t.deadline)) - Date.now())
    );
    this.waitTimer.unref();
  }

  private run(reader: Reader, task: Task): void {
    const timer = setTimeout(() => {
      if (this.perThread > 1) {
        // PostgreSQL stops the statement at this budget itself; the thread's other queries go on, and
        // the late answer of this one is ignored.
        reader.running.delete(task.request.id);
        this.dispatch();
      } else {
        // Past the budget: the statement cannot be interrupted from here, so the thread goes with it.
        this.replace(reader, 'timeout');
      }
      task.reject(
        new StoreThreadError(
          'timeout',
          `the analytics query ran past its ${this.opts.timeoutMs} ms budget and was stopped; narrow the time range or filters (--query-timeout-ms sets the budget)`
        )
      );
    }, this.opts.timeoutMs);
    reader.running.set(task.request.id, { task, timer });
    reader.worker.postMessage(task.request);
  }

  private spawn(): void {
    const worker = spawnThread(
      'reader',
      { dbPath: this.opts.dbPath, queryTimeoutMs: this.opts.timeoutMs, connections: this.perThread },
      { maxOldGenerationSizeMb: this.opts.memoryMb }
    );
    const reader: Reader = { worker, ready: false, running: new Map() };
    this.readers.push(reader);
    let heapExhausted = false;
    worker.on('message', (m: FromReader) => {
      if (m.type === 'ready') {
        reader.ready = true;
        if (this.allReady()) for (const w of this.readyWaiters.splice(0)) w();
        this.dispatch();
      } else if (m.type === 'open_failed') {
        this.remove(reader);
        void worker.terminate();
        // Nothing can be answered without the store: fail what waits rather than spawning in a loop.
        for (const t of this.waiting.splice(0))
          t.reject(new StoreThreadError('unavailable', `the message store is unavailable: ${m.message}`));
      } else if (m.type === 'result') {
        const running = reader.running.get(m.id);
        if (!running) return;
        clearTimeout(running.timer);
        reader.running.delete(m.id);
        const { task } = running;
        if (m.error) task.reject(new StoreThreadError(m.error.kind, m.error.message));
        else task.resolve(m.result);
        this.dispatch();
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') heapExhausted = true;
      else this.opts.log.error({ err, thread: 'reader' }, 'analytics reader thread failed');
    });
    worker.on('exit', () => {
      if (!this.readers.includes(reader)) return;
      this.remove(reader);
      if (this.closed) return;
      const lost = [...reader.running.values()];
      reader.running.clear();
      for (const r of lost) clearTimeout(r.timer);
      const reason = heapExhausted ? 'memory' : 'crash';
      this.opts.onRestart('reader', reason);
      this.opts.log.warn(
        { thread: 'reader', reason, query: lost.map((r) => r.task.request.name).join(',') || undefined },
        'analytics reader thread stopped; a new one will serve the next query'
      );
      this.fill();
      for (const { task } of lost)
        task.reject(
          new StoreThreadError(
            'unavailable',
            heapExhausted
              ? `the analytics query needed more than the ${this.opts.memoryMb} MiB a reader may use (--worker-memory-mb) and was stopped; narrow the time range or filters`
              : 'the analytics reader thread stopped while answering; try again'
          )
        );
      this.dispatch();
    });
  }

  private remove(reader: Reader): void {
    this.readers = this.readers.filter((r) => r !== reader);
  }

  private replace(reader: Reader, reason: 'timeout'): void {
    this.remove(reader);
    // One query per thread on this path (SQLite): the one past its budget, whose caller is told.
    for (const r of reader.running.values()) clearTimeout(r.timer);
    reader.running.clear();
    void reader.worker.terminate();
    this.opts.onRestart('reader', reason);
    this.opts.log.warn(
      { thread: 'reader', reason },
      'analytics query past its budget; its reader thread was stopped'
    );
    this.fill();
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.readyWaiters.splice(0)) w();
    if (this.waitTimer) clearTimeout(this.waitTimer);
    for (const t of this.waiting.splice(0))
      t.reject(new StoreThreadError('unavailable', 'the message store is closing'));
    const readers = this.readers.splice(0);
    for (const r of readers) {
      for (const { task, timer } of r.running.values()) {
        clearTimeout(timer);
        task.reject(new StoreThreadError('unavailable', 'the message store is closing'));
      }
      r.running.clear();
    }
    await Promise.all(readers.map((r) => r.worker.terminate()));
  }
}
