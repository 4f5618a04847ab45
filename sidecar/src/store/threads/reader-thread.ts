/**
 * A reader thread: one read-only SQLite connection that runs the analytics queries the proxy's thread
 * asks for, one at a time. A query that runs past its budget is stopped by terminating this thread
 * (reader-pool.ts), which is why nothing here holds state beyond the connection.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { aggregations, currentStats, dataSummary, history } from '../aggregate';
import { exportChunk } from '../export-format';
import { getMessage, listMessages, search, values } from '../queries';
import type { EventQuery } from '../events';
import { statusWindows } from '../status-window';
import { pgReaderMain } from '../postgres/reader-main';
import { isPostgresUrl } from '../postgres/url';
import { MessageStore } from '../store';
import { modelUsage } from '../model-usage';
import type { FromReader, QueryRequest, ReaderInit } from './protocol';
import { toThreadError } from './thread-error';

/** Every query a reader thread runs, by name: the store comes first, then plain-data arguments. */
export const READ_QUERIES = {
  aggregations,
  currentStats,
  history,
  dataSummary,
  listMessages,
  getMessage,
  search,
  values,
  exportChunk,
  events: (store: MessageStore, q: EventQuery) => store.events(q),
  statusWindows: (store: MessageStore, at: number, windowMinutes: number) =>
    statusWindows(store.db, at, windowMinutes),
  modelUsage,
};
export type ReadQueries = typeof READ_QUERIES;

function main(port: NonNullable<typeof parentPort>, init: ReaderInit): void {
  const send = (m: FromReader) => port.postMessage(m);
  let store: MessageStore;
  try {
    store = new MessageStore(init.dbPath, { cacheMb: 16 });
    // This connection only reads: the writer thread owns every write.
    store.db.pragma('query_only = ON');
  } catch (err) {
    send({ type: 'open_failed', message: (err as Error).message });
    return;
  }
  port.on('message', (req: QueryRequest) => {
    const fn = READ_QUERIES[req.name] as (s: MessageStore, ...args: unknown[]) => unknown;
    // Awaited: a query may answer asynchronously (the PostgreSQL store's all do).
    Promise.resolve()
      .then(() => {
        if (!fn) throw new Error(`unknown query ${String(req.name)}`);
        return fn(store, ...req.args);
      })
      .then(
        (result) => send({ type: 'result', id: req.id, result }),
        (err: unknown) => send({ type: 'result', id: req.id, error: toThreadError(err) })
      );
  });
  send({ type: 'ready' });
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === 'reader') {
  const init = workerData as ReaderInit;
  // A postgres:// URL selects the PostgreSQL store's queries (postgres/read-queries.ts).
  if (isPostgresUrl(init.dbPath)) pgReaderMain(parentPort, init);
  else main(parentPort, init);
}
