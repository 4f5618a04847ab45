/**
 * The real sidecar process (src/main.ts under tsx) for what only a process shows: signals, exit codes,
 * its log. It imports none of the sidecar's sources, so any test environment can use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';

/** The sidecar workspace's directory (src/main.ts is run from there, where tsx resolves its imports). */
export const SIDECAR_DIR = dirname(require.resolve('@ollama-lens/sidecar/package.json'));

export interface SidecarProcess {
  proc: ChildProcess;
  /** The proxy's base URL, as the process logged it. */
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its stdout and stderr so far. */
  logs(): string;
}

/**
 * The real sidecar process (`node --import tsx src/main.ts`) on a free port in front of `upstream`.
 * Resolves once it logged its proxy URL; throws with its output if it exits or takes over 30 s.
 * Flags come after the kit's (--port 0 --upstream …), so they override them; pass --db.
 */
export async function spawnSidecarProcess(upstream: string, flags: string[] = []): Promise<SidecarProcess> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--port', '0', '--upstream', upstream, ...flags],
    {
      cwd: SIDECAR_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal }))
  );
  const until = Date.now() + 30_000;
  for (;;) {
    const m = /"proxyUrl":"([^"]+)"/.exec(out);
    if (m) return { proc, url: m[1], exited, logs: () => out };
    if (proc.exitCode !== null || Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`the sidecar did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
