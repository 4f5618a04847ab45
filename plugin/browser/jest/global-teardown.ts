/** globalTeardown of the Chromium suite: stops the stack of the globalSetup (same process). */
import type { BrowserSuiteGlobals } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as BrowserSuiteGlobals;
  const stack = g.__OLLAMA_LENS_BROWSER__;
  g.__OLLAMA_LENS_BROWSER__ = undefined;
  await stack?.stop();
}
