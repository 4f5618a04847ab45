/**
 * Everything the browser suite runs against, real where it can be: Ollama (the sidecar's harness, tiny
 * models), the scripted upstream in front of it (see scriptedUpstream.ts), the sidecar with a temporary
 * store, Prometheus scraping the sidecar, and the GrafanaEmulator serving the host page, the built
 * plugin and Grafana's API on one origin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type Sidecar } from '../../../sidecar/src/app';
import { loadConfig } from '../../../sidecar/src/config';
import { startOllama, startPrometheus, warmModel, type OllamaServer, type PrometheusServer } from './harness';
import {
  DEFAULT_MESSAGES_DATASOURCE_UID,
  MESSAGES_DATASOURCE_TYPE,
  PROMETHEUS_DATASOURCE_UID,
} from '../../src/constants';
import { GrafanaEmulator } from '../../src/testing/grafanaEmulator';
import { serveHost } from './hostServer';
import { ScriptedUpstream } from './scriptedUpstream';
import { SCRIPTED_ANSWERS, seed, type SeedResult } from './seed';

export interface BrowserStack {
  /** Origin the browser opens (host page, plugin, Grafana API). */
  baseUrl: string;
  sidecarUrl: string;
  proxyUrl: string;
  token: string;
  prometheusUrl: string;
  ollamaUrl: string;
  seed: SeedResult;
  emulator: GrafanaEmulator;
  stop(): Promise<void>;
}

export interface StackOptions {
  pluginDist: string;
  hostDir: string;
  /** An existing store file (the benchmark's 1M messages); no seeding then. */
  db?: string;
  /** Skip sending the seed messages. */
  noSeed?: boolean;
}

export const STACK_TOKEN = 'browser-suite-admin-token';

export async function startStack(opts: StackOptions): Promise<BrowserStack> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      await s().catch(() => undefined);
    }
  };
  try {
    const preset = process.env.OLLAMA_TEST_URL?.replace(/\/+$/, '');
    let ollama: OllamaServer | undefined;
    if (!preset) {
      ollama = await startOllama();
      stops.push(() => ollama!.stop());
    }
    const ollamaUrl = preset ?? ollama!.url;
    const models = ollama?.models ?? ['tiny', 'tiny2'];
    await warmModel(ollamaUrl, models[0]);

    const upstream = new ScriptedUpstream(ollamaUrl, SCRIPTED_ANSWERS);
    const upstreamUrl = await upstream.start();
    stops.push(() => upstream.stop());

    const dataDir = mkdtempSync(join(tmpdir(), 'ollama-lens-browser-'));
    stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig([], {
      OLLAMA_LENS_HOST: '127.0.0.1',
      OLLAMA_LENS_PORT: '0',
      OLLAMA_LENS_UPSTREAM: upstreamUrl,
      OLLAMA_LENS_ADMIN_TOKEN: STACK_TOKEN,
      OLLAMA_LENS_DB: opts.db ?? join(dataDir, 'messages.db'),
      OLLAMA_LENS_LOG_LEVEL: 'silent',
      OLLAMA_LENS_BATCH_MS: '20',
      OLLAMA_LENS_POLL_INTERVAL_MS: '5000',
      OLLAMA_LENS_PRICES: JSON.stringify({ '*': { input: 0.5, output: 1.5 } }),
    });
    const sidecar: Sidecar = await buildApp(config);
    stops.push(() => sidecar.close());
    const { proxyUrl, adminUrl } = await sidecar.listen();

    const prometheus: PrometheusServer = await startPrometheus({ target: new URL(adminUrl).host });
    stops.push(() => prometheus.stop());

    const seeded = opts.db || opts.noSeed ? { ids: {}, total: 0 } : await seed(proxyUrl, adminUrl, STACK_TOKEN, models);

    const emulator = new GrafanaEmulator((req, res) =>
      serveHost({ pluginDist: opts.pluginDist, hostDir: opts.hostDir }, req, res)
    );
    emulator.addDataSource({
      uid: DEFAULT_MESSAGES_DATASOURCE_UID,
      name: 'Ollama Lens messages',
      type: MESSAGES_DATASOURCE_TYPE,
      jsonData: { url: adminUrl },
      secureJsonData: { token: STACK_TOKEN },
    });
    emulator.addDataSource({
      uid: PROMETHEUS_DATASOURCE_UID,
      name: 'Prometheus',
      type: 'prometheus',
      url: prometheus.url,
      jsonData: {},
      secureJsonData: {},
    });
    const baseUrl = await emulator.start();
    stops.push(() => emulator.stop());

    return {
      baseUrl,
      sidecarUrl: adminUrl,
      proxyUrl,
      token: STACK_TOKEN,
      prometheusUrl: prometheus.url,
      ollamaUrl,
      seed: seeded,
      emulator,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
