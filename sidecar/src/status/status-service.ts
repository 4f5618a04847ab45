/**
 * Keeps the status line: gathers the signals in the background (default every 30 s), derives the facts
 * and the rules line, and, when a model is configured, asks it to phrase the facts in one line. A
 * request for the status only ever reads the cached line: nothing here is awaited by forwarding.
 */
import type { StatusLine } from '@ollama-lens/contracts';
import type { StatusWindows } from '../store/status-window';
import type { StatusPhraser } from './phrase';
import { overallLevel, rulesLine, statusFacts, type StatusSignals } from './rules';

/** Where each signal comes from; a source that is off (no store, no metrics) is absent. */
export interface SignalReaders {
  /** The store's recent window and the hour before it (a reader thread query). */
  windows?: (at: number, windowMinutes: number) => Promise<StatusWindows>;
  queue?: () => StatusSignals['queue'];
  ollama?: () => StatusSignals['ollama'];
  gpus: () => StatusSignals['gpus'];
  host?: () => StatusSignals['host'];
  store?: () => StatusSignals['store'];
  events: () => StatusSignals['events'];
}

export interface StatusServiceOptions {
  refreshMs: number;
  windowMinutes: number;
  phraser?: StatusPhraser;
  onError?: (err: unknown, what: string) => void;
}

export class StatusService {
  private line: StatusLine | undefined;
  private refreshing: Promise<StatusLine> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: SignalReaders,
    private readonly opts: StatusServiceOptions
  ) {}

  /** The latest line; the first call waits for the first refresh. */
  async current(): Promise<StatusLine> {
    return this.line ?? this.refresh();
  }

  /** One refresh now, or the one already running. Never rejects: a failing source is left out. */
  refresh(): Promise<StatusLine> {
    this.refreshing ??= this.compute().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async signals(at = Date.now()): Promise<StatusSignals> {
    const { windowMinutes } = this.opts;
    let windows: StatusWindows = { recent: { requests: 0, errors: 0 }, baseline: { requests: 0, errors: 0 } };
    try {
      if (this.read.windows) windows = await this.read.windows(at, windowMinutes);
    } catch (err) {
      this.opts.onError?.(err, 'reading the store for the status line');
    }
    return {
      at,
      windowMinutes,
      recent: windows.recent,
      baseline: windows.baseline,
      queue: this.read.queue?.(),
      ollama: this.read.ollama?.(),
      gpus: this.read.gpus(),
      host: this.read.host?.(),
      store: this.read.store?.(),
      events: this.read.events(),
    };
  }

  private async compute(): Promise<StatusLine> {
    const signals = await this.signals();
    const facts = statusFacts(signals);
    const level = overallLevel(facts);
    let line: StatusLine = { line: rulesLine(facts), level, facts, source: 'rules', at: signals.at };
    if (this.opts.phraser) {
      try {
        const phrased = await this.opts.phraser.phrase(facts, level);
        if (phrased !== undefined) line = { ...line, line: phrased, source: 'model' };
      } catch (err) {
        this.opts.onError?.(err, 'phrasing the status line');
      }
    }
    this.line = line;
    return line;
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
  }
}
