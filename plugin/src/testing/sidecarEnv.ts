/** What the jest globalSetup (jest/global-setup.ts) hands to the test files through the environment. */
import type { PagesSeed } from '@ollama-lens/testkit/seeded';

export interface TestSidecar {
  /** Admin base URL of the real sidecar (it serves /healthz and /analytics here). */
  url: string;
  /** Its OLLAMA_LENS_ADMIN_TOKEN. */
  token: string;
  /** The messages seeded through the real proxy (the kit's seedPages). */
  seed: PagesSeed;
  ollamaUrl: string;
}

export const SIDECAR_ENV = {
  url: 'OLLAMA_LENS_TEST_SIDECAR_URL',
  token: 'OLLAMA_LENS_TEST_SIDECAR_TOKEN',
  seed: 'OLLAMA_LENS_TEST_SEED',
  /** The Ollama behind the sidecar (a "wrong URL" for the connection tests). */
  ollama: 'OLLAMA_LENS_TEST_OLLAMA_URL',
  /**
   * A second Ollama, for the Models page test alone: it unloads, loads, copies and deletes models. On the
   * shared server the two tiny names share one weights file, and Ollama lists a runner under the name that
   * loaded it, so another file's request between that test's unload and load would take the runner.
   */
  modelsOllama: 'OLLAMA_LENS_TEST_MODELS_OLLAMA_URL',
} as const;

/** The Ollama of the Models page test (see SIDECAR_ENV.modelsOllama). */
export function modelsTestOllamaUrl(): string {
  const url = process.env[SIDECAR_ENV.modelsOllama];
  if (!url) {
    throw new Error(
      `The plugin's jest globalSetup did not start the second Ollama (${SIDECAR_ENV.modelsOllama} is not set).`
    );
  }
  return url;
}

export function testSidecar(): TestSidecar {
  const url = process.env[SIDECAR_ENV.url];
  const token = process.env[SIDECAR_ENV.token];
  const seed = process.env[SIDECAR_ENV.seed];
  if (!url || !token || !seed) {
    throw new Error(
      `The plugin's jest globalSetup did not start the sidecar (${SIDECAR_ENV.url} is not set). Run the tests with plugin/jest.config.js.`
    );
  }
  return { url, token, seed: JSON.parse(seed) as PagesSeed, ollamaUrl: process.env[SIDECAR_ENV.ollama] ?? '' };
}
