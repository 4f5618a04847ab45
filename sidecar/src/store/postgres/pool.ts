import pg from 'pg';

/**
 * The PostgreSQL connections of one store thread. Every connection carries a statement timeout (a
 * query never holds the thread longer than its budget: PostgreSQL cancels it, unlike SQLite where the
 * thread must be terminated) and the pool a connection timeout, so a database that is down fails
 * fast instead of queueing. pg reconnects on its own: a broken connection is dropped from the pool
 * and the next query opens a new one.
 */

/**
 * How long to wait for a connection: a database that is down fails a batch or a query this fast
 * (the writer then counts the batch as dropped and tries again with the next).
 */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface PoolOptions {
  url: string;
  /** Connections at most (the writer needs one at a time; readers one each). */
  max: number;
  /** statement_timeout of every statement (ms). */
  statementTimeoutMs: number;
  /** How long to wait for a connection, including opening one (ms). */
  connectTimeoutMs: number;
}

/** Type OIDs whose text form pg leaves as a string by default. */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * bigint and numeric as JS numbers: the contract's counts, epoch-ms times and sums are numbers.
 * Epoch milliseconds and message counts stay far below 2^53, where the conversion is exact.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export function createPool(o: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max,
    connectionTimeoutMillis: o.connectTimeoutMs,
    statement_timeout: o.statementTimeoutMs,
    // A client-side bound too: a connection that stops answering (server gone, network cut) fails
    // the query instead of hanging it.
    query_timeout: o.statementTimeoutMs + o.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'ollama-lens',
    // No JIT: it pays off for long analytic scans, not for our statements of milliseconds to a second,
    // whose estimated cost still crosses jit_above_cost on a big day (60 ms of compiling per search count).
    options: '-c jit=off',
    types,
  });
  // An idle connection that the server closes emits 'error' on the pool: it is dropped and replaced
  // on next use. Without a listener the error would be thrown and kill the thread.
  pool.on('error', () => undefined);
  return pool;
}

export type SqlValue = string | number | boolean | null | readonly (string | number | null)[];

/**
 * `?` placeholders (as the shared filter builder writes them, filters.ts) → PostgreSQL's `$n`. The
 * SQL text never holds a literal `?` otherwise: every value travels as a parameter.
 */
export function numbered(sql: string, offset = 0): string {
  let n = offset;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Something that runs a query: a pool or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Runs SQL written with `?` placeholders. */
export async function rows<R extends pg.QueryResultRow>(
  db: Queryable,
  sql: string,
  params: readonly unknown[] = []
): Promise<R[]> {
  return (await db.query<R>(numbered(sql), [...params])).rows;
}

/** Runs `fn` in one transaction on one connection; rolls back on any error. */
export async function transaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    // A connection whose ROLLBACK fails is broken (server gone): it is destroyed, not pooled again.
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}
