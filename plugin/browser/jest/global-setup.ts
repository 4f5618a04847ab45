/**
 * globalSetup of the Chromium suite: the plugin bundle (rebuilt when sources changed), the host bundle,
 * and the stack (Ollama, scripted upstream, sidecar, Prometheus, Grafana emulator) seeded with messages.
 * Test files get what they need through process.env (see lib/suite.ts).
 */
import { join } from 'node:path';
import { ensureFreshBundle } from '../../jest/bundle';
import { buildHost } from '../host/build';
import { SUITE_ENV, type SuiteInfo } from '../lib/suite';
import { startStack, type BrowserStack } from '../stack/stack';

export interface BrowserSuiteGlobals {
  __OLLAMA_LENS_BROWSER__?: BrowserStack;
}

export default async function globalSetup(): Promise<void> {
  ensureFreshBundle();
  const hostDir = await buildHost();
  const stack = await startStack({ pluginDist: join(__dirname, '..', '..', 'dist'), hostDir });
  const info: SuiteInfo = {
    baseUrl: stack.baseUrl,
    sidecarUrl: stack.sidecarUrl,
    token: stack.token,
    ids: stack.seed.ids,
    total: stack.seed.total,
    lastTrafficAt: Date.now(),
  };
  process.env[SUITE_ENV] = JSON.stringify(info);
  (globalThis as BrowserSuiteGlobals).__OLLAMA_LENS_BROWSER__ = stack;
}
