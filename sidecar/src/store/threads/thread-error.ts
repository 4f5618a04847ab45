import { SqliteError } from 'better-sqlite3';
import { RangeError400 } from '../aggregate';
import { CursorError } from '../filters';
import type { ThreadError } from './protocol';

/** SQLite failures that mean "the store cannot serve now", not "the request was wrong". */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CORRUPT|CANTOPEN|NOTADB|NOMEM)/;

/** Classifies an error inside a store thread, where its class is still known, for the trip back. */
export function toThreadError(err: unknown): ThreadError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError400 || err instanceof CursorError) return { kind: 'bad_request', message };
  if (err instanceof SqliteError)
    return { kind: UNAVAILABLE_CODES.test(err.code) ? 'unavailable' : 'internal', message, code: err.code };
  return { kind: 'internal', message };
}
