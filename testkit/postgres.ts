/**
 * A real PostgreSQL 15 (Debian's binaries) for the PostgreSQL store's tests: `initdb` into a temporary
 * directory and a server on a free loopback port, both run as the `postgres` system user (the server
 * refuses to run as root, and CI runs as root). Trust authentication on loopback only: the server is
 * the test's own, reachable from this machine alone, and gone when the test ends.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ollama';

export const PG_BIN = process.env.OLLAMA_LENS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:port/lens: the database the store uses. */
  url: string;
  port: number;
  /** Stops the server (fast shutdown: connections are closed), keeping its data directory. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (after stop()). */
  start(): Promise<void>;
  /** Stops it and deletes its directory. Idempotent. */
  close(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary as the postgres user when we are root, as ourselves otherwise. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  const exe = join(PG_BIN, bin);
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
}

function run(bin: string, args: string[], timeoutMs = 60_000): void {
  const [cmd, argv] = pgCommand(bin, args);
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
}

function runAsync(bin: string, args: string[], timeoutMs = 60_000): Promise<void> {
  const [cmd, argv] = pgCommand(bin, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${bin} ${args.join(' ')} exited with ${code}: ${out}`));
    });
  });
}

export function postgresAvailable(): boolean {
  return existsSync(join(PG_BIN, 'initdb'));
}

/**
 * initdb + pg_ctl start on a free port, and a `lens` database. The socket directory is the data
 * directory's own (the default /var/run/postgresql may not exist or be writable).
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (!postgresAvailable()) {
    throw new Error(`PostgreSQL 15 not found in ${PG_BIN}: run scripts/setup.sh (it installs postgresql)`);
  }
  const root = mkdtempSync(join(tmpdir(), 'ollama-lens-pg-'));
  // mkdtemp makes it 0700 for us; the postgres user must be able to enter it.
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(root, uid, gid);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const pgStart = () =>
    runAsync('pg_ctl', [
      '-D',
      data,
      '-o',
      options,
      '-l',
      join(data, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  const pgStop = () => runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  await pgStart();
  // A test process that ends without close() (killed jest, a crash) must not leave a server behind.
  const onExit = () => {
    if (!running) return;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], 10_000);
      rmSync(root, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  };
  process.once('exit', onExit);
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'lens']);
  let running = true;
  let closed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/lens`,
    port,
    async stop() {
      if (!running) return;
      await pgStop();
      running = false;
    },
    async start() {
      if (running) return;
      await pgStart();
      running = true;
    },
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', onExit);
      try {
        if (running) await pgStop();
      } finally {
        running = false;
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
