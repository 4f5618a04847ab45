// The static gates of `npm test`: every TypeScript project type-checks (workspaces with their tests,
// scripts, bench) and the whole repo passes eslint and `prettier --check`. Each gate is one test in the
// closing "N passed, N failed" line: the result goes to reports/gates.json, which test-summary.mjs reads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** @type {{ name: string, command: string[], cwd?: string }[]} */
const gates = [];
for (const ws of rootPackage.workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
  // A workspace's own "typecheck" script names all of its projects (sources, tests, browser suite…).
  if (pkg.scripts?.typecheck)
    gates.push({ name: `typecheck ${ws}`, command: ['npm', 'run', '-s', 'typecheck', '-w', ws] });
  if (pkg.scripts?.lint)
    gates.push({ name: `eslint ${ws}`, command: ['npm', 'run', '-s', 'lint', '-w', ws] });
}
for (const project of ['bench/tsconfig.json', 'scripts/tsconfig.json']) {
  if (existsSync(join(root, project)))
    gates.push({
      name: `typecheck ${project.split('/')[0]}`,
      command: ['npx', 'tsc', '--noEmit', '-p', project],
    });
}
gates.push({
  name: 'eslint (root: sidecar, contracts, scripts, bench)',
  command: ['npx', 'eslint', '--max-warnings=0', '.'],
});
gates.push({ name: 'prettier --check', command: ['npx', 'prettier', '--check', '--log-level=warn', '.'] });

const only = process.argv[2];
const results = [];
for (const gate of gates.filter((g) => !only || g.name.includes(only))) {
  const started = Date.now();
  const run = spawnSync(gate.command[0], gate.command.slice(1), {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ok = run.status === 0;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`gate ${ok ? 'passed' : 'FAILED'}: ${gate.name} (${seconds} s)`);
  if (!ok)
    console.log(
      `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`.trim().slice(-20000)
    );
  results.push({ name: gate.name, ok });
}
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(join(root, 'reports', 'gates.json'), JSON.stringify({ gates: results }, null, 2));
process.exit(results.every((r) => r.ok) ? 0 : 1);
