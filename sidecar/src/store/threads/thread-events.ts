import type { StoreThreadName, StoreThreadRestartReason } from '../../metrics/contract';

/** What the store threads report to the code that owns them (logging and metrics stay on the proxy's thread). */
export interface ThreadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A store thread, and why one is replaced: it died, its query ran past the budget, or ran out of heap. */
export type StoreThread = StoreThreadName;
export type RestartReason = StoreThreadRestartReason;

export interface ThreadEvents {
  log: ThreadLog;
  onRestart(thread: StoreThread, reason: RestartReason): void;
}

export type StoreErrorKind = 'bad_request' | 'unavailable' | 'timeout' | 'internal';

/** A store operation that failed, with the kind the API turns into a status code. */
export class StoreThreadError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string
  ) {
    super(message);
  }
}
