/**
 * jest globalSetup of the plugin: a real Ollama (the test kit's harness, tiny models), a real sidecar
 * (the kit's in-process spawner: buildApp) in front of it with a temporary store and an admin token,
 * seeded with the kit's page-test messages. Workers inherit the URL, token and seeded ids through
 * process.env. It also rebuilds dist/ when the sources changed, for the bundle load test.
 */
import { createTinyEmbeddingModel, startOllama, testOllama, type OllamaServer } from '@ollama-lens/testkit/ollama';
import { seedPages } from '@ollama-lens/testkit/seed';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { SIDECAR_ENV } from '../src/testing/sidecarEnv';
import { ensureFreshBundle } from './bundle';

export interface PluginTestGlobals {
  __OLLAMA_LENS_PLUGIN_TEST__?: { ollama?: OllamaServer; modelsOllama: OllamaServer; sidecar: TestSidecar };
}

const TOKEN = 'plugin-test-admin-token';

export default async function globalSetup(): Promise<void> {
  // First, while nothing else runs: webpack wants both cores.
  ensureFreshBundle();
  const ollama = await testOllama();
  let sidecar: TestSidecar | undefined;
  let modelsOllama: OllamaServer | undefined;
  try {
    // An embedding-only model beside the chat ones, as most Ollama installs have: the Playground must not offer it.
    await createTinyEmbeddingModel(ollama.url);
    modelsOllama = await startOllama();
    sidecar = await startSidecar(ollama.url, [
      '--admin-token',
      TOKEN,
      '--log-level',
      'silent',
      '--batch-ms',
      '20',
      '--poll-interval-ms',
      '60000',
      // One status line for the whole run (rebuilt below, once the pages' messages are in), so a page can
      // be compared with what the sidecar says.
      '--status-refresh-ms',
      '3600000',
      '--prices',
      JSON.stringify({ '*': { input: 0.5, output: 1.5 } }),
    ]);
    const seed = await seedPages(sidecar, TOKEN, ollama.models);
    await sidecar.app.services.status?.refresh();
    process.env[SIDECAR_ENV.url] = sidecar.adminUrl;
    process.env[SIDECAR_ENV.token] = TOKEN;
    process.env[SIDECAR_ENV.seed] = JSON.stringify(seed);
    process.env[SIDECAR_ENV.ollama] = ollama.url;
    process.env[SIDECAR_ENV.modelsOllama] = modelsOllama.url;
    (globalThis as PluginTestGlobals).__OLLAMA_LENS_PLUGIN_TEST__ = { ollama: ollama.server, modelsOllama, sidecar };
  } catch (err) {
    await sidecar?.close().catch(() => undefined);
    await modelsOllama?.stop();
    const logs = ollama.server?.logs() ?? '';
    await ollama.server?.stop();
    throw new Error(`${(err as Error).message}${logs ? `\n--- ollama serve log ---\n${logs.slice(-4000)}` : ''}`);
  }
}
