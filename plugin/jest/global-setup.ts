/**
 * jest globalSetup of the plugin: a real Ollama (the sidecar's test harness, tiny models), a real
 * sidecar (buildApp) in front of it with a temporary store and an admin token, seeded with messages
 * sent through its proxy. Workers inherit the URL, token and seeded ids through process.env. It also
 * rebuilds dist/ when the sources changed, for the bundle load test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type Sidecar } from '../../sidecar/src/app';
import { loadConfig } from '../../sidecar/src/config';
import { startOllama, warmModel, type OllamaServer } from '../../sidecar/test/harness/ollama';
import { SIDECAR_ENV } from '../src/testing/sidecarEnv';
import { ensureFreshBundle } from './bundle';
import { CapturingSink, seedSidecar } from './seed';

export interface PluginTestGlobals {
  __OLLAMA_LENS_PLUGIN_TEST__?: { ollama?: OllamaServer; sidecar: Sidecar; dataDir: string };
}

const TOKEN = 'plugin-test-admin-token';

export default async function globalSetup(): Promise<void> {
  // First, while nothing else runs: webpack wants both cores.
  ensureFreshBundle();
  const preset = process.env.OLLAMA_TEST_URL?.replace(/\/+$/, '');
  const ollama = preset ? undefined : await startOllama();
  const ollamaUrl = preset ?? ollama!.url;
  const models = ollama?.models ?? ['tiny', 'tiny2'];
  const dataDir = mkdtempSync(join(tmpdir(), 'ollama-lens-plugin-test-'));
  let sidecar: Sidecar | undefined;
  try {
    await warmModel(ollamaUrl, models[0]);
    const config = loadConfig([], {
      OLLAMA_LENS_HOST: '127.0.0.1',
      OLLAMA_LENS_PORT: '0',
      OLLAMA_LENS_UPSTREAM: ollamaUrl,
      OLLAMA_LENS_ADMIN_TOKEN: TOKEN,
      OLLAMA_LENS_DB: join(dataDir, 'messages.db'),
      OLLAMA_LENS_LOG_LEVEL: 'silent',
      OLLAMA_LENS_BATCH_MS: '20',
      OLLAMA_LENS_POLL_INTERVAL_MS: '60000',
      OLLAMA_LENS_PRICES: JSON.stringify({ '*': { input: 0.5, output: 1.5 } }),
    });
    const capture = new CapturingSink();
    sidecar = await buildApp(config, { sinks: [capture] });
    const { proxyUrl, adminUrl } = await sidecar.listen();
    const seed = await seedSidecar(sidecar, capture, proxyUrl, adminUrl, TOKEN, models);
    process.env[SIDECAR_ENV.url] = adminUrl;
    process.env[SIDECAR_ENV.token] = TOKEN;
    process.env[SIDECAR_ENV.seed] = JSON.stringify(seed);
    process.env[SIDECAR_ENV.ollama] = ollamaUrl;
    (globalThis as PluginTestGlobals).__OLLAMA_LENS_PLUGIN_TEST__ = { ollama, sidecar, dataDir };
  } catch (err) {
    await sidecar?.close().catch(() => undefined);
    const logs = ollama?.logs() ?? '';
    await ollama?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}${logs ? `\n--- ollama serve log ---\n${logs.slice(-4000)}` : ''}`);
  }
}
