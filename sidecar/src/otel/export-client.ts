import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MeasurementRecord, RecordSink } from '../tap/record';
import type { ExportInit, ExportThreadStats, FromExporter, ToExporter } from './protocol';
import { toSpanInput, type SpanInput } from './span-input';
import { restartDelayMs } from '../store/threads/spawn';

export interface OtelExportLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OtelExportOptions {
  init: Omit<ExportInit, 'statsIntervalMs'>;
  log: OtelExportLog;
  /** JS heap limit of the export thread, in MiB. */
  memoryMb: number;
}

/** What `ollama_otel_spans_*` report (monotonic counts since start, and the queue now). */
export interface OtelExportStats {
  exported: number;
  dropped: { queue_full: number; export_error: number };
  queueDepth: number;
}

const EMPTY: ExportThreadStats = { received: 0, exported: 0, queueFull: 0, exportFailed: 0, queueDepth: 0 };
const STATS_INTERVAL_MS = 100;
/** Logs export failures at most this often (a collector that is down would otherwise log every batch). */
const ERROR_LOG_INTERVAL_MS = 60_000;
/** An export failure this recent makes /readyz report the export as failing. */
const RECENT_FAILURE_MS = 60_000;

/** Starts the export thread from the built JavaScript, or from the TypeScript sources under tsx (tests). */
function spawnExportThread(init: ExportInit, memoryMb: number): Worker {
  const base = path.join(__dirname, 'export-thread');
  const workerData = { ...init, role: 'otel-export' };
  const resourceLimits = { maxOldGenerationSizeMb: memoryMb };
  if (fs.existsSync(`${base}.js`)) return new Worker(`${base}.js`, { workerData, resourceLimits });
  return new Worker(`${base}.ts`, {
    workerData,
    resourceLimits,
    execArgv: ['--require', require.resolve('tsx/cjs')],
  });
}

/**
 * The OpenTelemetry sink on the proxy's thread. `record()` picks what a span needs and queues it; the
 * records of one event-loop turn go to the export thread in one message (a message costs far more than
 * the few fields it carries), where spans are built, batched and exported. The hand-over is bounded across both
 * threads: when `queueSize` spans wait, new ones are dropped and counted, never waited for. A thread
 * that dies is restarted (the spans it held count as export errors); requests never notice.
 */
export class OtelExport implements RecordSink {
  readonly name = 'otel';
  private worker: Worker | null = null;
  private ready = false;
  /** Span inputs not yet posted: this turn's, or all while no thread is up to take them. */
  private queued: SpanInput[] = [];
  private flushScheduled = false;
  private posted = 0;
  private thread: ExportThreadStats = EMPTY;
  private carried = { exported: 0, queueFull: 0, exportFailed: 0 };
  private local = { queueFull: 0, exportFailed: 0 };
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private lastLoggedError = 0;
  private readyWaiters: (() => void)[] = [];
  restarts = 0;

  constructor(private readonly opts: OtelExportOptions) {
    this.start();
  }

  private start(): void {
    this.ready = false;
    this.posted = 0;
    this.thread = EMPTY;
    this.startedAt = Date.now();
    const worker = spawnExportThread(
      { ...this.opts.init, statsIntervalMs: STATS_INTERVAL_MS },
      this.opts.memoryMb
    );
    this.worker = worker;
    worker.on('message', (m: FromExporter) => this.onMessage(m));
    worker.on('error', (err) =>
      this.opts.log.error({ err, thread: 'otel-export' }, 'OpenTelemetry export thread failed')
    );
    worker.on('exit', (code) => this.onExit(worker, code));
  }

  /** Resolves once the thread has started (tests measure from then on). */
  whenReady(): Promise<void> {
    if (this.ready || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private onMessage(m: FromExporter): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        for (const w of this.readyWaiters.splice(0)) w();
        this.flush();
        return;
      case 'stats':
      case 'closed': {
        const before = this.thread.lastError?.at;
        this.thread = m.stats;
        const err = m.stats.lastError;
        if (err && err.at !== before && Date.now() - this.lastLoggedError >= ERROR_LOG_INTERVAL_MS) {
          this.lastLoggedError = Date.now();
          this.opts.log.error(
            { error: err.message, endpoint: this.opts.init.tracesUrl, dropped: this.stats.dropped },
            'OpenTelemetry export failed; spans dropped, requests unaffected'
          );
        }
        return;
      }
    }
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.worker = null;
    this.ready = false;
    const t = this.thread;
    // What the dead thread held is lost: count it, and keep its totals.
    const lost = Math.max(0, this.posted - t.received) + t.queueDepth;
    this.carried.exported += t.exported;
    this.carried.queueFull += t.queueFull;
    this.carried.exportFailed += t.exportFailed + lost;
    this.posted = 0;
    this.thread = EMPTY;
    if (this.closing) return;
    this.restarts++;
    this.opts.log.error(
      { thread: 'otel-export', exitCode: code, lost },
      'OpenTelemetry export thread died; restarting it (requests unaffected)'
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

  /** Spans waiting here, in flight to the thread, and held by the thread. */
  private depth(): number {
    return this.queued.length + Math.max(0, this.posted - this.thread.received) + this.thread.queueDepth;
  }

  /** Posts what is queued, in one message, if a thread is up to take it. */
  flush(): void {
    this.flushScheduled = false;
    if (!this.worker || !this.ready || this.queued.length === 0) return;
    const msg: ToExporter = { type: 'spans', inputs: this.queued };
    this.worker.postMessage(msg);
    this.posted += this.queued.length;
    this.queued = [];
  }

  record(r: MeasurementRecord): void {
    // Only requests that got ids when they started become spans.
    if (!r.trace) return;
    if (this.closing) {
      this.local.exportFailed++;
      return;
    }
    if (this.depth() >= this.opts.init.queueSize) {
      this.local.queueFull++;
      return;
    }
    this.queued.push(toSpanInput(r, this.opts.init.captureContent));
    if (!this.flushScheduled && this.worker && this.ready) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  get stats(): OtelExportStats {
    const t = this.thread;
    return {
      exported: this.carried.exported + t.exported,
      dropped: {
        queue_full: this.local.queueFull + this.carried.queueFull + t.queueFull,
        export_error: this.local.exportFailed + this.carried.exportFailed + t.exportFailed,
      },
      queueDepth: this.depth(),
    };
  }

  /** For /readyz (not critical: a collector in trouble costs spans, never requests). */
  async health(): Promise<{ ok: boolean; detail: Record<string, unknown> }> {
    const s = this.stats;
    const detail: Record<string, unknown> = {
      endpoint: this.opts.init.tracesUrl,
      exported: s.exported,
      dropped: s.dropped,
      queue_depth: s.queueDepth,
      thread_restarts: this.restarts,
    };
    const last = this.thread.lastError;
    if (last && Date.now() - last.at < RECENT_FAILURE_MS)
      return {
        ok: false,
        detail: { ...detail, error: last.message, error_at: new Date(last.at).toISOString() },
      };
    return { ok: this.worker !== null, detail };
  }

  /** The thread's handle, for tests that kill it. */
  get threadForTests(): Worker | null {
    return this.worker;
  }

  /** Exports what is queued (bounded by the export timeout) and stops the thread. Idempotent. */
  close(timeoutMs = 30_000): Promise<void> {
    this.closing ??= (async () => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      const worker = this.worker;
      if (!worker) {
        this.local.exportFailed += this.queued.length;
        this.queued = [];
        return;
      }
      if (!this.ready)
        await Promise.race([new Promise<void>((r) => this.readyWaiters.push(r)), delay(timeoutMs)]);
      if (this.ready) this.flush();
      else this.local.exportFailed += this.queued.splice(0).length;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const msg: ToExporter = { type: 'close' };
      worker.postMessage(msg);
      if ((await Promise.race([exited, delay(timeoutMs).then(() => 'timeout' as const)])) === 'timeout') {
        this.opts.log.error(
          { thread: 'otel-export' },
          'OpenTelemetry export thread did not finish in time; stopping it'
        );
        await worker.terminate();
      }
    })();
    return this.closing;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
