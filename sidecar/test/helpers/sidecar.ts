import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildApp, type Sidecar } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { MeasurementRecord, RecordSink, RequestStartInfo } from '../../src/tap/record';

export interface TestSidecar {
  url: string;
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

/**
 * A real sidecar (the same buildApp as production) on a free loopback port, in front of `upstream`,
 * with a sink that collects every record. Extra flags are CLI flags, as a user would pass them.
 */
export async function startSidecar(upstream: string, flags: string[] = []): Promise<TestSidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-test-'));
  const config = loadConfig(['--port', '0', '--upstream', upstream, '--log-level', 'warn', '--db', join(dir, 'lens.db'), ...flags], {});
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
        const t = setTimeout(() => reject(new Error(`no matching record within ${timeoutMs} ms; have: ${records.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ')}`)), timeoutMs);
        waiters.push({ match, resolve: (r) => (clearTimeout(t), resolve(r)) });
      });
    },
    close: () => app.close(),
    openDb: () => new Database(config.dbPath, { readonly: true, fileMustExist: true }),
  };
}
