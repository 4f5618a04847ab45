import fs from 'node:fs';
import path from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';

export type ThreadRole = 'writer' | 'reader';

const ENTRIES: Record<ThreadRole, string> = { writer: 'writer-thread', reader: 'reader-thread' };

/**
 * Starts a store thread from the built JavaScript, or, when the sidecar runs from its TypeScript
 * sources (tests, tsx), from the sources with tsx compiling the thread's modules.
 */
export function spawnThread(role: ThreadRole, data: object, resourceLimits: ResourceLimits): Worker {
  const base = path.join(__dirname, ENTRIES[role]);
  const workerData = { ...data, role };
  if (fs.existsSync(`${base}.js`)) return new Worker(`${base}.js`, { workerData, resourceLimits });
  return new Worker(`${base}.ts`, {
    workerData,
    resourceLimits,
    execArgv: ['--require', require.resolve('tsx/cjs')],
  });
}

/** A thread that dies again within this long of its start waits before the next restart. */
const CRASH_WINDOW_MS = 10_000;

/** How long to wait before restarting a thread that died: at once, or backing off when it keeps dying. */
export function restartDelayMs(startedAt: number, restarts: number): number {
  return Date.now() - startedAt < CRASH_WINDOW_MS ? Math.min(30_000, 250 * 2 ** Math.min(restarts, 7)) : 0;
}
