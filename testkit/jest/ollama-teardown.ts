/** jest globalTeardown (sidecar): stops the shared Ollama that ollama-setup.ts started (same process). */
import type { HarnessGlobals } from './ollama-setup';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as HarnessGlobals;
  const server = g.__OLLAMA_LENS_SERVER__;
  g.__OLLAMA_LENS_SERVER__ = undefined;
  if (server) await server.stop();
}
