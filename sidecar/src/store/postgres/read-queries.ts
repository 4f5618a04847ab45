import type { QueryArgs, QueryName, QueryResult } from '../threads/protocol';
import { aggregationsPg, currentStatsPg, dataSummaryPg, historyPg } from './aggregate';
import { modelUsagePg } from './model-usage';
import type { Queryable } from './pool';
import { exportChunkPg, getMessagePg, listMessagesPg, searchPg, valuesPg } from './queries';
import { statusWindowsPg } from './status-window';
import { listEventsPg } from './store';

/**
 * The reader threads' named queries (reader-thread.ts READ_QUERIES) on PostgreSQL: the same names,
 * the same plain-data arguments and results, asynchronous. Typed from READ_QUERIES, so a query added
 * there without a PostgreSQL version here does not compile (and the contract suite, which enumerates
 * READ_QUERIES, fails).
 */
export type PgReadQueries = {
  [K in QueryName]: (db: Queryable, ...args: QueryArgs<K>) => Promise<Awaited<QueryResult<K>>>;
};

export const PG_READ_QUERIES: PgReadQueries = {
  aggregations: aggregationsPg,
  currentStats: currentStatsPg,
  history: historyPg,
  dataSummary: dataSummaryPg,
  listMessages: listMessagesPg,
  getMessage: getMessagePg,
  search: searchPg,
  values: valuesPg,
  exportChunk: exportChunkPg,
  events: listEventsPg,
  statusWindows: statusWindowsPg,
  modelUsage: modelUsagePg,
};
