/**
 * The two store backends as the sidecar runs them: StoreThreads (a writer thread, reader threads)
 * opened on a SQLite file or a PostgreSQL URL. Each backend gets two writers on the same store
 * (instances `alpha` and `beta`, as two sidecars would be), so the host filter has two hosts to tell
 * apart; queries go through the first one's reader pool, as the analytics API's do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import type { QueryArgs, QueryName, QueryResult } from '../../../src/store/threads/protocol';
import { StoreThreads } from '../../../src/store/threads/store-threads';
import type { ThreadLog } from '../../../src/store/threads/thread-events';

export interface Backend {
  name: 'sqlite' | 'postgres';
  alpha: StoreThreads;
  beta: StoreThreads;
  query<K extends QueryName>(name: K, ...args: QueryArgs<K>): Promise<QueryResult<K>>;
  close(): Promise<void>;
}

/** Logs what the threads report, so a failing store shows why (warnings and errors only). */
export const testLog: ThreadLog = {
  info: () => undefined,
  warn: (obj, msg) => console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

export function storeThreads(db: string, instance: string, extra: string[] = []): StoreThreads {
  // No retention: the seed's fixed dates lie in the past, which a retention pass would delete.
  const config = loadConfig(
    [
      '--db',
      db,
      '--instance',
      instance,
      '--query-workers',
      '1',
      '--batch-ms',
      '20',
      '--retention-days',
      '0',
      ...extra,
    ],
    {}
  );
  return new StoreThreads(config, testLog);
}

export async function openBackend(name: Backend['name'], pgUrl: string): Promise<Backend> {
  let dir: string | undefined;
  let db = pgUrl;
  if (name === 'sqlite') {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-contract-'));
    db = path.join(dir, 'lens.db');
  }
  const alpha = storeThreads(db, 'alpha');
  await alpha.whenReady();
  // The second writer opens the store the first has created (and migrated).
  const beta = storeThreads(db, 'beta');
  await beta.whenReady();
  return {
    name,
    alpha,
    beta,
    query: (q, ...args) => alpha.readers.query(q, ...args),
    async close() {
      await beta.close();
      await alpha.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
