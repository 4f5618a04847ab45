/** The sidecar as a user starts it: the real entry point in a child process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const TSX = join(__dirname, '../../node_modules/.bin/tsx');
const MAIN = join(__dirname, '../src/main.ts');

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(TSX, [MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30000,
  });
}

it('--help prints every option and exits 0', () => {
  const r = run(['--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('--upstream');
  expect(r.stdout).toContain('OLLAMA_LENS_UPSTREAM');
});

it('a bad value stops it at once with a message naming the option', () => {
  const r = run([], { OLLAMA_LENS_PORT: 'eleven' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--port \/ OLLAMA_LENS_PORT: expected a whole number, got "eleven"/);
});

it('refuses to expose the admin endpoints without a token', () => {
  const r = run(['--host', '0.0.0.0', '--store', 'false']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/OLLAMA_LENS_ADMIN_TOKEN/);
});
