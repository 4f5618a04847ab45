/** jest globalTeardown: stops the shared Ollama that globalSetup started (same process). */
import type { HarnessGlobals } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as HarnessGlobals;
  const server = g.__OLLAMA_LENS_SERVER__;
  g.__OLLAMA_LENS_SERVER__ = undefined;
  if (server) await server.stop();
}
