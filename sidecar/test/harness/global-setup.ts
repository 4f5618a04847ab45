/**
 * jest globalSetup: one shared, warmed Ollama for the whole run. Workers are spawned after this
 * returns, so they inherit OLLAMA_TEST_URL / OLLAMA_TEST_MODELS from process.env.
 *
 * If OLLAMA_TEST_URL is already set (a developer's long-running harness server), it is reused:
 * the tiny models are (re)created on it and nothing is stopped at teardown.
 */
import { createTinyModels, startOllama, TINY_MODELS, warmModel, type OllamaServer } from './ollama';

export interface HarnessGlobals {
  __OLLAMA_LENS_SERVER__?: OllamaServer;
}

export default async function globalSetup(): Promise<void> {
  const preset = process.env.OLLAMA_TEST_URL;
  if (preset) {
    const url = preset.replace(/\/+$/, '');
    await createTinyModels(url, TINY_MODELS);
    await warmModel(url, TINY_MODELS[0]);
    process.env.OLLAMA_TEST_URL = url;
    process.env.OLLAMA_TEST_MODELS = TINY_MODELS.join(',');
    return;
  }
  const server = await startOllama();
  try {
    await warmModel(server.url, server.models[0]);
  } catch (err) {
    const logs = server.logs();
    await server.stop();
    throw new Error(`${(err as Error).message}\n--- ollama serve log ---\n${logs}`);
  }
  process.env.OLLAMA_TEST_URL = server.url;
  process.env.OLLAMA_TEST_MODELS = server.models.join(',');
  (globalThis as HarnessGlobals).__OLLAMA_LENS_SERVER__ = server;
}
