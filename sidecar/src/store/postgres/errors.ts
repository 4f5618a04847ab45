import type { ThreadError } from '../threads/protocol';
import { toThreadError } from '../threads/thread-error';

/**
 * SQLSTATE classes and Node error codes meaning "PostgreSQL cannot serve now" (down, restarting,
 * unreachable, out of connections or space, statement cancelled by its timeout), not "the request
 * was wrong": the API answers 503 for these, as for SQLite's BUSY/FULL/IOERR.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58)/;
const UNAVAILABLE_NODE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGE = /timeout|terminat|Connection ended|not queryable/i;

export function toPgThreadError(err: unknown): ThreadError {
  const base = toThreadError(err);
  if (base.kind !== 'internal') return base;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE.has(code)))
    return { kind: 'unavailable', message: base.message, code };
  if (UNAVAILABLE_MESSAGE.test(base.message)) return { kind: 'unavailable', message: base.message };
  return base;
}
