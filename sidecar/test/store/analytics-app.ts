/**
 * The analytics plugin mounted on its own fastify instance with real Services (the real store threads
 * on a temporary file, a real tap), listening on a loopback port: the API's unit tests drive it over
 * HTTP without the proxy or Ollama. Records go in through the real writer thread (the tap's sink).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { analyticsPlugin } from '../../src/analytics/plugin';
import { loadConfig } from '../../src/config';
import type { Services } from '../../src/services';
import { StoreThreads } from '../../src/store/threads/store-threads';
import type { MeasurementRecord } from '../../src/tap/record';
import { Tap } from '../../src/tap/tap';
import { Upstream } from '../../src/upstream/upstream';

export interface Response {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: bodies are checked field by field
}

export interface AnalyticsApp {
  app: FastifyInstance;
  url: string;
  /** A real HTTP request to the listening app. */
  call(
    method: 'GET' | 'DELETE' | 'OPTIONS' | 'POST',
    path: string,
    headers?: Record<string, string>
  ): Promise<Response>;
  services: Services;
  /** The store's threads (null with --store=false). */
  store: StoreThreads | null;
  dir: string;
  /** Emits records through the tap and resolves once the writer thread has written them. */
  ingest(records: readonly MeasurementRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** `args`: sidecar flags (e.g. ['--admin-token', 'x']); --db defaults to a fresh temporary file. */
export async function analyticsApp(args: string[] = []): Promise<AnalyticsApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-api-'));
  const config = loadConfig(['--db', path.join(dir, 'messages.db'), '--log-level', 'silent', ...args]);
  const silent = { info() {}, warn() {}, error() {} };
  const store = config.storeEnabled ? new StoreThreads(config, silent) : null;
  const services: Services = {
    config,
    tap: new Tap(),
    upstream: new Upstream(config),
    registry: new Registry(),
    readiness: [],
    startedAt: Date.now(),
    store,
  };
  if (store) {
    services.tap.addSink(store.writer);
    services.readiness.push({ name: 'store', critical: false, check: () => store.health() });
  }
  const app = Fastify({ logger: false });
  await app.register(analyticsPlugin, services);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await store?.whenReady();
  return {
    app,
    url,
    async call(method, p, headers = {}) {
      const res = await request(url + p, { method, headers });
      const body = await res.body.text();
      return { statusCode: res.statusCode, headers: res.headers, body, json: () => JSON.parse(body) };
    },
    services,
    store,
    dir,
    async ingest(records) {
      for (const r of records) services.tap.emit(r);
      await store?.flush();
    },
    async close() {
      await app.close();
      await services.tap.close();
      await store?.close();
      await services.upstream.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small RFC 4180 parser (quoted fields, doubled quotes, newlines inside quotes) for checking exports. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
