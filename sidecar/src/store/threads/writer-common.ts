/**
 * What the SQLite and PostgreSQL writer threads share: the writer's options from the thread's init
 * (with failures logged at most every ERROR_LOG_INTERVAL_MS), and the counters sent back on a timer.
 */
import { Redactor } from '../redact';
import type { WriterOptions, WriterStats } from '../writer';
import type { FromWriter, ThreadError, WriterInit, WriterThreadStats } from './protocol';

/** Logs store write failures at most this often (a full disk would otherwise log every batch). */
const ERROR_LOG_INTERVAL_MS = 10_000;

type Send = (m: FromWriter) => void;

export function writerOptions(
  init: WriterInit,
  send: Send,
  toThreadError: (err: unknown) => ThreadError
): WriterOptions {
  let lastLog = 0;
  let unlogged = 0;
  return {
    queueSize: init.queueSize,
    batchMs: init.batchMs,
    // Off the proxy's thread a transaction may be large: fewer commits, same pauses (none).
    batchSize: 1000,
    captureContent: init.captureContent,
    host: init.host,
    redactor: init.redact ? new Redactor(init.redactPatterns) : undefined,
    onError(err, dropped) {
      unlogged += dropped;
      const now = Date.now();
      if (now - lastLog < ERROR_LOG_INTERVAL_MS) return;
      send({
        type: 'log',
        level: 'error',
        msg: 'message store write failed; records dropped, requests unaffected',
        err: toThreadError(err),
        fields: { dropped: unlogged },
      });
      lastLog = now;
      unlogged = 0;
    },
  };
}

/** The part of either writer the counters come from. */
interface CountedWriter {
  readonly stats: WriterStats;
  lastError: { message: string; at: number } | undefined;
}

export function writerThreadStats(received: number, writer: CountedWriter): WriterThreadStats {
  return {
    received,
    written: writer.stats.written,
    storeErrors: writer.stats.dropped.store_error,
    queueFull: writer.stats.dropped.queue_full,
    queueDepth: writer.stats.queueDepth,
    lastError: writer.lastError,
  };
}

/**
 * Sends the counters every intervalMs when they changed: cheap, and fresh enough for the queue bound
 * (per batch would be a message per transaction). Returns the timer, for the thread's close.
 */
export function reportStats(send: Send, stats: () => WriterThreadStats, intervalMs: number): NodeJS.Timeout {
  let reported = '';
  return setInterval(() => {
    const s = stats();
    const key = `${s.received}/${s.written}/${s.storeErrors}/${s.queueFull}/${s.queueDepth}/${s.lastError?.at}`;
    if (key === reported) return;
    reported = key;
    send({ type: 'stats', stats: s });
  }, intervalMs);
}
