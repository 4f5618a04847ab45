/**
 * The sidecar spawner: a real sidecar in front of a given upstream, either in the test's own process
 * (the same buildApp as production, with a sink that hands the test every record) or as the real
 * process (src/main.ts under tsx), for what only a process shows: signals, exit codes, its log.
 * Options are CLI flags, as a user would pass them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildApp, type Sidecar } from '@ollama-lens/sidecar/src/app';
import { loadConfig } from '@ollama-lens/sidecar/src/config';
import type { MeasurementRecord, RecordSink, RequestStartInfo } from '@ollama-lens/sidecar/src/tap/record';

// The process spawner has a module of its own: it imports none of the sidecar's sources, so tests in a
// browser-like environment (jsdom, where the sidecar's dependencies cannot load) can use it too.
export { SIDECAR_DIR, spawnSidecarProcess, type SidecarProcess } from './sidecar-process';

export interface TestSidecar {
  /** The proxy's base URL. */
  url: string;
  /** The admin listener's base URL (the proxy's unless --admin-port was given). */
  adminUrl: string;
  app: Sidecar;
  records: MeasurementRecord[];
  /** Every request that reached the tap (its body read), in order. */
  started: RequestStartInfo[];
  /** Resolves with the first record (already emitted or yet to come) that matches. */
  waitForRecord(match: (r: MeasurementRecord) => boolean, timeoutMs?: number): Promise<MeasurementRecord>;
  close(): Promise<void>;
  /** A read-only connection of the test's own to the sidecar's store file (WAL: it sees every commit). */
  openDb(): Database.Database;
}

/** A temporary directory for one sidecar's store (tests pass --db to use another). */
function storeDir(): string {
  return mkdtempSync(join(tmpdir(), 'ollama-lens-test-'));
}

/**
 * A real sidecar (the same buildApp as production) on a free loopback port, in front of `upstream`,
 * with a sink that collects every record. Extra flags are CLI flags, as a user would pass them; they
 * come after the kit's defaults (quiet log, a temporary store), so they override them.
 */
export async function startSidecar(upstream: string, flags: string[] = []): Promise<TestSidecar> {
  const config = loadConfig(
    [
      '--port',
      '0',
      '--upstream',
      upstream,
      '--log-level',
      'warn',
      '--db',
      join(storeDir(), 'lens.db'),
      ...flags,
    ],
    {}
  );
  const records: MeasurementRecord[] = [];
  const started: RequestStartInfo[] = [];
  const waiters: { match: (r: MeasurementRecord) => boolean; resolve: (r: MeasurementRecord) => void }[] = [];
  const sink: RecordSink = {
    name: 'test',
    onRequestStart(info) {
      started.push(info);
    },
    record(r) {
      records.push(r);
      for (const w of [...waiters]) {
        if (w.match(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    },
  };
  const app = await buildApp(config, { sinks: [sink] });
  const { proxyUrl, adminUrl } = await app.listen();
  // Tests start measuring at once: let the store's threads finish booting first.
  await app.services.store?.whenReady();
  return {
    url: proxyUrl,
    adminUrl,
    app,
    records,
    started,
    waitForRecord(match, timeoutMs = 10000) {
      const found = records.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `no matching record within ${timeoutMs} ms; have: ${records.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ')}`
              )
            ),
          timeoutMs
        );
        waiters.push({ match, resolve: (r) => (clearTimeout(t), resolve(r)) });
      });
    },
    close: () => app.close(),
    openDb: () => new Database(config.dbPath, { readonly: true, fileMustExist: true }),
  };
}
