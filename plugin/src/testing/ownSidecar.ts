/**
 * A sidecar of a test file's own, in front of the jest globalSetup's real Ollama, with an empty store.
 * For tests that write messages (the Playground's exchanges): the globalSetup's sidecar holds the seeded
 * messages other files count, and files run side by side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSidecarProcess } from '@ollama-lens/testkit/sidecar-process';
import { testSidecar } from './sidecarEnv';
import type { SidecarTarget } from './sidecarApi';

export interface OwnSidecar extends SidecarTarget {
  stop(): Promise<void>;
}

export async function startOwnSidecar(name: string, flags: string[] = []): Promise<OwnSidecar> {
  const dir = mkdtempSync(join(tmpdir(), `ollama-lens-${name}-`));
  const token = `${name}-read-token`;
  const sidecar = await spawnSidecarProcess(testSidecar().ollamaUrl, [
    '--admin-token',
    token,
    // info: the spawner reads the proxy's URL from the start-up log line.
    '--log-level',
    'info',
    '--poll-interval-ms',
    '60000',
    '--db',
    join(dir, 'lens.db'),
    ...flags,
  ]);
  return {
    url: sidecar.url,
    token,
    async stop() {
      sidecar.proc.kill('SIGTERM');
      await sidecar.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
