/**
 * The reader pool on a real PostgreSQL: one reader thread runs several queries at once (a connection
 * each), so a short query is answered while a long one on the same thread still runs; and a query past
 * its budget is cancelled by PostgreSQL alone: its thread, and the thread's other queries, go on.
 */
import { startPostgres, type PostgresServer } from '@ollama-lens/testkit/postgres';
import { CONNECT_TIMEOUT_MS } from '../../src/store/postgres/pool';
import { PgStore } from '../../src/store/postgres/store';
import { ReaderPool } from '../../src/store/threads/reader-pool';
import { StoreThreadError, type RestartReason } from '../../src/store/threads/thread-events';

jest.setTimeout(120_000);

let pg: PostgresServer;
let store: PgStore;
let readers: ReaderPool | undefined;
const restarts: RestartReason[] = [];
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  pg = await startPostgres();
  store = new PgStore({
    url: pg.url,
    max: 2,
    statementTimeoutMs: 30_000,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  await store.ready();
});

afterAll(async () => {
  await readers?.close();
  await store?.close();
  await pg?.close();
});

test('a long query does not hold up a short one on the same reader, and its timeout costs only itself', async () => {
  readers = new ReaderPool({
    dbPath: pg.url,
    size: 1,
    perThread: 4,
    timeoutMs: 2_000,
    memoryMb: 128,
    log,
    onRestart: (_thread, reason) => restarts.push(reason),
    storeReady: Promise.resolve(),
  });
  await readers.whenReady();
  const page = { sort: 'time', order: 'desc', limit: 5 } as const;

  // Another session holds the messages (a migration, a VACUUM FULL): a read of them waits for it.
  const locker = await store.pool.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
    const blocked = readers.query('listMessages', {}, page);
    blocked.catch(() => undefined);
    // The event log is not locked: answered by the same (only) thread while the other query waits.
    const events = await readers.query('events', { from: 0, to: Date.now() });
    expect(events.events).toEqual([]);
    expect(readers.busy).toBe(1);

    const err = await blocked.then(
      () => undefined,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(StoreThreadError);
    // The pool's budget or PostgreSQL's statement_timeout, whichever spoke first.
    expect(['timeout', 'unavailable']).toContain((err as StoreThreadError).kind);
  } finally {
    await locker.query('ROLLBACK');
    locker.release();
  }
  // The thread was not replaced, and it answers again.
  expect(restarts).toEqual([]);
  expect(readers.threads).toBe(1);
  expect((await readers.query('listMessages', {}, page)).messages).toEqual([]);
  expect(readers.busy).toBe(0);
});
