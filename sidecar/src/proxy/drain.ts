import type { MeasurementRecord } from '../tap/record';

/** One forwarded exchange that a shutdown can end early. */
export interface Cuttable {
  /** Ends the exchange now: stops the request to Ollama and closes the client's response. */
  cut(): void;
}

/**
 * The proxy's in-flight exchanges, for a bounded drain. On shutdown the server stops accepting and
 * waits for what is in flight; `startDeadline` bounds that wait (streams can run for minutes), cutting
 * whatever is still running when it passes. An exchange stays tracked until its record has been handed
 * to the tap, so `settled()` also means "every record of this listener reached the sinks".
 */
export class InFlightExchanges {
  private readonly live = new Set<Cuttable>();
  private waiters: (() => void)[] = [];
  private deadline: NodeJS.Timeout | undefined;
  private cutCount = 0;

  /** Registers an exchange; call the returned function once its record has been emitted. */
  track(exchange: Cuttable): () => void {
    this.live.add(exchange);
    return () => {
      if (!this.live.delete(exchange) || this.live.size > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    };
  }

  get size(): number {
    return this.live.size;
  }

  /** Exchanges ended by the drain deadline so far. */
  get cut(): number {
    return this.cutCount;
  }

  /**
   * Lets in-flight exchanges finish for up to `timeoutMs`, then cuts every one still running.
   * `onCut` hears how many were cut (not called when all finished in time).
   */
  startDeadline(timeoutMs: number, onCut: (count: number) => void = () => {}): void {
    if (this.deadline) return;
    this.deadline = setTimeout(() => {
      const remaining = [...this.live];
      if (remaining.length === 0) return;
      this.cutCount += remaining.length;
      onCut(remaining.length);
      for (const exchange of remaining) exchange.cut();
    }, timeoutMs);
    // The deadline alone must never keep the process alive.
    this.deadline.unref();
  }

  /** Resolves once no exchange is in flight and every record has been emitted. */
  settled(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Clears the deadline (the drain finished, in time or by cutting). */
  stop(): void {
    clearTimeout(this.deadline);
  }
}

/**
 * The record of an exchange cut by the drain deadline. It uses the existing `cancelled` status and
 * error type (the client did not get a complete answer, and not through any fault of Ollama's), with a
 * message that says why, so no new label value enters the metric contract.
 */
export function endedByShutdown(record: MeasurementRecord, drainTimeoutMs: number): MeasurementRecord {
  return {
    ...record,
    status: 'cancelled',
    error_type: 'cancelled',
    error_message: `ended by shutdown: still in flight when the drain timeout (${drainTimeoutMs} ms, OLLAMA_LENS_DRAIN_TIMEOUT_MS) passed`,
  };
}
