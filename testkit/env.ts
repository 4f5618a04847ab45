/** What test files read to reach the shared Ollama that the jest globalSetup started. */

function required(name: 'OLLAMA_TEST_URL' | 'OLLAMA_TEST_MODELS'): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(
      `the jest globalSetup did not start Ollama: ${name} is not set. ` +
        'Run the tests through jest with sidecar/jest.config.js (globalSetup @ollama-lens/testkit/jest/ollama-setup), ' +
        'or set OLLAMA_TEST_URL to a running Ollama.'
    );
  }
  return v;
}

/** Base URL of the shared Ollama, e.g. http://127.0.0.1:40123 (no trailing slash). */
export function testOllamaUrl(): string {
  return required('OLLAMA_TEST_URL');
}

/** Models created on it: ['tiny', 'tiny2'] (same weights, two names). */
export function testOllamaModels(): string[] {
  return required('OLLAMA_TEST_MODELS').split(',');
}
