/**
 * jest globalSetup (sidecar): one shared, warmed Ollama for the whole run. Workers are spawned after this
 * returns, so they inherit OLLAMA_TEST_URL / OLLAMA_TEST_MODELS from process.env.
 *
 * If OLLAMA_TEST_URL is already set (a developer's long-running harness server), it is reused:
 * the tiny models are (re)created on it and nothing is stopped at teardown.
 */
import { testOllama, type OllamaServer } from '../ollama';

export interface HarnessGlobals {
  __OLLAMA_LENS_SERVER__?: OllamaServer;
}

export default async function globalSetup(): Promise<void> {
  const ollama = await testOllama();
  process.env.OLLAMA_TEST_URL = ollama.url;
  process.env.OLLAMA_TEST_MODELS = ollama.models.join(',');
  (globalThis as HarnessGlobals).__OLLAMA_LENS_SERVER__ = ollama.server;
}
