/**
 * Everything the browser suite runs against, real where it can be: Ollama (the test kit's harness, tiny
 * models), the scripted upstream in front of it (@ollama-lens/testkit/scripted-upstream), the sidecar with a temporary
 * store, Prometheus scraping the sidecar, and the GrafanaEmulator serving the host page, the built
 * plugin and Grafana's API on one origin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyEmbeddingModel, testOllama } from '@ollama-lens/testkit/ollama';
import { startPrometheus, type PrometheusServer } from '@ollama-lens/testkit/prometheus';
import { ScriptedUpstream } from '@ollama-lens/testkit/scripted-upstream';
import { browserPlan, SCRIPTED_ANSWERS, seedMessages } from '@ollama-lens/testkit/seed';
import type { SeedResult } from '@ollama-lens/testkit/seeded';
import { startSidecar } from '@ollama-lens/testkit/sidecar';
import {
  DEFAULT_MESSAGES_DATASOURCE_UID,
  MESSAGES_DATASOURCE_TYPE,
  PROMETHEUS_DATASOURCE_UID,
} from '../../src/constants';
import { GrafanaEmulator } from '../../src/testing/grafanaEmulator';
import { serveHost } from './hostServer';

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
/** The sidecar's actions token: the Models page shows its actions to the host's Admin user. */
const STACK_ACTIONS_TOKEN = 'browser-suite-actions-token';

export async function startStack(opts: StackOptions): Promise<BrowserStack> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      await s().catch(() => undefined);
    }
  };
  try {
    const ollama = await testOllama();
    const server = ollama.server;
    if (server) {
      stops.push(() => server.stop());
    }
    // An embedding-only model beside the chat ones, as most Ollama installs have.
    await createTinyEmbeddingModel(ollama.url);

    const upstream = new ScriptedUpstream(ollama.url, SCRIPTED_ANSWERS);
    const upstreamUrl = await upstream.start();
    stops.push(() => upstream.stop());

    const dataDir = mkdtempSync(join(tmpdir(), 'ollama-lens-browser-'));
    stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const sidecar = await startSidecar(upstreamUrl, [
      '--admin-token',
      STACK_TOKEN,
      '--actions-token',
      STACK_ACTIONS_TOKEN,
      '--db',
      opts.db ?? join(dataDir, 'messages.db'),
      '--log-level',
      'silent',
      '--batch-ms',
      '20',
      '--poll-interval-ms',
      '5000',
      '--prices',
      JSON.stringify({ '*': { input: 0.5, output: 1.5 } }),
    ]);
    stops.push(() => sidecar.close());
    const { url: proxyUrl, adminUrl } = sidecar;

    const prometheus: PrometheusServer = await startPrometheus({ target: new URL(adminUrl).host });
    stops.push(() => prometheus.stop());

    const seeded =
      opts.db || opts.noSeed
        ? { ids: {}, total: 0 }
        : await seedMessages({ proxyUrl, adminUrl, token: STACK_TOKEN }, browserPlan(ollama.models));
    if (seeded.total > 0) {
      // The pages show live metrics: wait until Prometheus has seen the seeded traffic as a rate (two
      // scrapes around it), and rebuild the status line from it.
      await waitForRate(prometheus.url);
      await sidecar.app.services.status?.refresh();
    }

    const emulator = new GrafanaEmulator((req, res) =>
      serveHost({ pluginDist: opts.pluginDist, hostDir: opts.hostDir }, req, res)
    );
    emulator.addDataSource({
      uid: DEFAULT_MESSAGES_DATASOURCE_UID,
      name: 'Ollama Lens messages',
      type: MESSAGES_DATASOURCE_TYPE,
      jsonData: { url: adminUrl },
      secureJsonData: { token: STACK_TOKEN, actionsToken: STACK_ACTIONS_TOKEN },
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
      ollamaUrl: ollama.url,
      seed: seeded,
      emulator,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves once Prometheus computes a request rate above 0 (at most ~20 s; the pages say "no data" otherwise). */
async function waitForRate(prometheusUrl: string): Promise<void> {
  const query = encodeURIComponent('sum(rate(ollama_requests_total[1m])) > 0');
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${query}`);
    const body = (await res.json()) as { data?: { result?: unknown[] } };
    if ((body.data?.result?.length ?? 0) > 0) {
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
