/**
 * A reader thread's body for a PostgreSQL store (reader-thread.ts picks it for a postgres:// URL): a
 * connection per query the pool may send at once (its perThread), every statement bounded by the query
 * budget so PostgreSQL itself cancels a query that would outlive it.
 */
import type { MessagePort } from 'node:worker_threads';
import type { FromReader, QueryRequest, ReaderInit } from '../threads/protocol';
import { toPgThreadError } from './errors';
import { CONNECT_TIMEOUT_MS, createPool, type Queryable } from './pool';
import { PG_READ_QUERIES } from './read-queries';

/** Used when the pool does not pass its budget (older callers): the default --query-timeout-ms. */
const DEFAULT_BUDGET_MS = 10_000;

export function pgReaderMain(port: MessagePort, init: ReaderInit): void {
  const send = (m: FromReader) => port.postMessage(m);
  const pool = createPool({
    url: init.dbPath,
    max: Math.max(1, init.connections ?? 1),
    statementTimeoutMs: init.queryTimeoutMs ?? DEFAULT_BUDGET_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  port.on('message', (req: QueryRequest) => {
    const fn = PG_READ_QUERIES[req.name] as
      ((db: Queryable, ...args: unknown[]) => Promise<unknown>) | undefined;
    (fn ? fn(pool, ...req.args) : Promise.reject(new Error(`unknown query ${String(req.name)}`))).then(
      (result) => send({ type: 'result', id: req.id, result }),
      (err: unknown) => send({ type: 'result', id: req.id, error: toPgThreadError(err) })
    );
  });
  // Ready at once: the connection opens with the first query, and a database that is down answers
  // each query with an 'unavailable' error until it is back.
  send({ type: 'ready' });
}
