/**
 * Keeps dist/ in step with the sources for the bundle load test: when a source file (the plugin's or
 * the contracts', which webpack takes from their build) is newer than the built modules (or they are
 * missing), builds the contracts and then the plugin once before the tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PLUGIN = join(__dirname, '..');
const CONTRACTS = join(PLUGIN, '..', 'contracts');
const OUTPUTS = ['dist/module.js', 'dist/datasource/module.js', 'dist/plugin.json', 'dist/datasource/plugin.json'];
const INPUTS = ['package.json', 'webpack.config.ts'];

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Test code is not bundled.
      if (entry.name !== 'testing' && entry.name !== '__tests__') {
        newest = Math.max(newest, newestIn(path));
      }
    } else if (!/\.test\.tsx?$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

export function ensureFreshBundle(): void {
  const built = OUTPUTS.every((f) => existsSync(join(PLUGIN, f)))
    ? Math.min(...OUTPUTS.map((f) => statSync(join(PLUGIN, f)).mtimeMs))
    : 0;
  const sources = Math.max(
    newestIn(join(PLUGIN, 'src')),
    newestIn(join(CONTRACTS, 'src')),
    ...INPUTS.map((f) => statSync(join(PLUGIN, f)).mtimeMs)
  );
  if (built >= sources) {
    return;
  }
  try {
    execFileSync('npm', ['run', 'build'], { cwd: CONTRACTS, stdio: 'pipe', encoding: 'utf8', timeout: 5 * 60_000 });
    execFileSync('npm', ['run', 'build'], { cwd: PLUGIN, stdio: 'pipe', encoding: 'utf8', timeout: 10 * 60_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `npm run build failed, so the bundle cannot be tested:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`
    );
  }
}
