import type { Worker } from 'node:worker_threads';
import type { StoreStats } from '../../metrics/store-stats';
import type { MeasurementRecord, RecordSink } from '../../tap/record';
import type { LensEvent } from '@ollama-lens/contracts';
import type { FromWriter, ToWriter, WriterCommand, WriterInit, WriterThreadStats } from './protocol';
import { restartDelayMs, spawnThread } from './spawn';
import { StoreThreadError, type ThreadEvents } from './thread-events';

export interface WriterClientOptions extends ThreadEvents {
  init: Omit<WriterInit, 'statsIntervalMs'>;
  memoryMb: number;
}

const EMPTY: WriterThreadStats = { received: 0, written: 0, storeErrors: 0, queueFull: 0, queueDepth: 0 };
const STATS_INTERVAL_MS = 50;
const MAX_PENDING_EVENTS = 1000;

/**
 * The store's sink on the proxy's thread. `record()` posts the record to the writer thread, which does
 * everything else (the structured clone copies it once; the thread owns the copy). The queue is bounded across both threads: when the writer falls
 * behind by `queueSize` records, new ones are dropped and counted, never waited for. A writer thread
 * that dies is restarted (its in-flight records are counted as store errors); the proxy never notices.
 */
export class WriterClient implements RecordSink {
  readonly name = 'store';
  private worker: Worker | null = null;
  private ready = false;
  /** Records not yet posted: this turn's, or all that arrived while no thread was up. */
  private pending: MeasurementRecord[] = [];
  private postScheduled: NodeJS.Immediate | undefined;
  /** Events not yet posted (few: loads, restarts, drops), kept while no thread is up. */
  private pendingEvents: LensEvent[] = [];
  /** Records posted to the current thread. */
  private posted = 0;
  /** The current thread's last report. */
  private thread: WriterThreadStats = EMPTY;
  /** Totals carried over from threads that died. */
  private carried = { written: 0, storeErrors: 0, queueFull: 0 };
  private readonly local = { queue_full: 0, store_error: 0 };
  private commands = new Map<
    number,
    { resolve: (v: number | boolean) => void; reject: (e: Error) => void }
  >();
  private nextCommand = 1;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private openFailure: string | undefined;
  private readyWaiters: (() => void)[] = [];
  /** Threads restarted after dying (for the metrics and /readyz). */
  restarts = 0;

  constructor(private readonly opts: WriterClientOptions) {
    this.start();
  }

  private start(): void {
    this.ready = false;
    this.posted = 0;
    this.thread = EMPTY;
    this.startedAt = Date.now();
    const worker = spawnThread(
      'writer',
      { ...this.opts.init, statsIntervalMs: STATS_INTERVAL_MS },
      { maxOldGenerationSizeMb: this.opts.memoryMb }
    );
    this.worker = worker;
    worker.on('message', (m: FromWriter) => this.onMessage(m));
    worker.on('error', (err) => this.opts.log.error({ err, thread: 'writer' }, 'store writer thread failed'));
    worker.on('exit', (code) => this.onExit(worker, code));
  }

  /** Resolves once the thread has opened the store (or found that it cannot). */
  whenReady(): Promise<void> {
    if (this.ready || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Why the store could not be opened, if it could not. */
  get openError(): string | undefined {
    return this.openFailure;
  }

  get lastError(): { message: string; at: number } | undefined {
    return this.thread.lastError;
  }

  private onMessage(m: FromWriter): void {
    switch (m.type) {
      case 'ready':
      case 'open_failed':
        this.openFailure = m.type === 'open_failed' ? m.message : undefined;
        if (m.type === 'open_failed')
          this.opts.log.error(
            { err: new Error(m.message) },
            'message store unavailable; proxying continues without it'
          );
        this.ready = true;
        for (const w of this.readyWaiters.splice(0)) w();
        this.post();
        return;
      case 'stats':
      case 'closed':
        this.thread = m.stats;
        return;
      case 'reply': {
        const c = this.commands.get(m.id);
        if (!c) return;
        this.commands.delete(m.id);
        if (m.error) c.reject(new StoreThreadError(m.error.kind, m.error.message));
        else c.resolve(m.result ?? 0);
        return;
      }
      case 'log': {
        const fields = { ...m.fields, thread: 'writer', ...(m.err ? { err: m.err } : {}) };
        this.opts.log[m.level](fields, m.msg);
        return;
      }
    }
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.worker = null;
    this.ready = false;
    // What the dead thread had not written is lost: count it, and keep its totals.
    const t = this.thread;
    const lost = Math.max(0, this.posted - t.written - t.storeErrors - t.queueFull);
    this.carried.written += t.written;
    this.carried.storeErrors += t.storeErrors + lost;
    this.carried.queueFull += t.queueFull;
    this.posted = 0;
    this.thread = EMPTY;
    for (const c of this.commands.values())
      c.reject(new StoreThreadError('unavailable', 'the store writer thread stopped'));
    this.commands.clear();
    if (this.closing) return;
    this.restarts++;
    this.opts.onRestart('writer', 'crash');
    this.opts.log.error(
      { thread: 'writer', exitCode: code, lost },
      'store writer thread died; restarting it (requests unaffected)'
    );
    this.restartTimer = setTimeout(
      () => {
        this.restartTimer = undefined;
        if (!this.closing) this.start();
      },
      restartDelayMs(this.startedAt, this.restarts)
    );
    this.restartTimer.unref();
  }

  /** Records waiting on this thread, in flight, and queued in the writer thread. */
  private depth(): number {
    return this.pending.length + Math.max(0, this.posted - this.thread.received) + this.thread.queueDepth;
  }

  record(r: MeasurementRecord): void {
    // The status line's own requests are measured (metrics) but not kept as messages: they would fill
    // the Explorer with the product talking to itself.
    if (r.origin === 'status') return;
    if (this.closing) {
      this.local.store_error++;
      return;
    }
    if (this.depth() >= this.opts.init.queueSize) {
      this.local.queue_full++;
      return;
    }
    this.pending.push(r);
    // Posted at the end of this event-loop turn, with whatever else the turn recorded: small messages,
    // spread over requests, never a burst.
    if (this.ready && !this.postScheduled) {
      this.postScheduled = setImmediate(() => {
        this.postScheduled = undefined;
        this.post();
      });
    }
  }

  /** Hands the waiting records to the thread (when it is up). */
  /** Hands events to the writer thread (the event log's sink); like records, never waits. */
  writeEvents(events: LensEvent[]): void {
    if (this.closing) return;
    this.pendingEvents.push(...events);
    // A writer that stays down must not grow this without bound: the oldest events go first.
    if (this.pendingEvents.length > MAX_PENDING_EVENTS)
      this.pendingEvents.splice(0, this.pendingEvents.length - MAX_PENDING_EVENTS);
    this.post();
  }

  private post(): void {
    if (this.worker && this.ready && this.pendingEvents.length > 0) {
      const msg: ToWriter = { type: 'events', events: this.pendingEvents };
      this.pendingEvents = [];
      this.worker.postMessage(msg);
    }
    if (!this.worker || !this.ready || this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.posted += records.length;
    const msg: ToWriter = { type: 'records', records };
    this.worker.postMessage(msg);
  }

  /** Runs a data-management command in the writer thread, after every record handed over before it. */
  async command(command: WriterCommand, timeoutMs: number): Promise<number | boolean> {
    await this.whenReady();
    this.post();
    const worker = this.worker;
    if (!worker || this.closing)
      throw new StoreThreadError('unavailable', 'the store writer thread is not running');
    const id = this.nextCommand++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.commands.delete(id);
        reject(new StoreThreadError('timeout', `the store did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.commands.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      const msg: ToWriter = { type: 'command', id, command };
      worker.postMessage(msg);
    });
  }

  /** The thread's handle, for tests that kill it. */
  get threadForTests(): Worker | null {
    return this.worker;
  }

  get stats(): StoreStats {
    const t = this.thread;
    return {
      written: this.carried.written + t.written,
      dropped: {
        queue_full: this.local.queue_full + this.carried.queueFull + t.queueFull,
        store_error: this.local.store_error + this.carried.storeErrors + t.storeErrors,
      },
      queueDepth: this.depth(),
    };
  }

  /** Hands every queued record to the thread, lets it write them all, and stops it. Idempotent. */
  close(timeoutMs = 60_000): Promise<void> {
    this.closing ??= (async () => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      if (this.postScheduled) clearImmediate(this.postScheduled);
      const worker = this.worker;
      if (!worker) {
        this.local.store_error += this.pending.length;
        this.pending = [];
        return;
      }
      if (!this.ready)
        await Promise.race([new Promise<void>((r) => this.readyWaiters.push(r)), delay(timeoutMs)]);
      this.ready = true;
      this.post();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const msg: ToWriter = { type: 'close' };
      worker.postMessage(msg);
      const timer = delay(timeoutMs).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timer])) === 'timeout') {
        this.opts.log.error({ thread: 'writer' }, 'store writer thread did not finish in time; stopping it');
        await worker.terminate();
      }
    })();
    return this.closing;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
