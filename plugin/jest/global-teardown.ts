/** jest globalTeardown: stops the sidecar and the Ollama servers of the globalSetup (same process). */
import type { PluginTestGlobals } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as PluginTestGlobals;
  const state = g.__OLLAMA_LENS_PLUGIN_TEST__;
  g.__OLLAMA_LENS_PLUGIN_TEST__ = undefined;
  if (!state) {
    return;
  }
  await state.sidecar.close();
  await state.ollama?.stop();
  await state.modelsOllama.stop();
}
