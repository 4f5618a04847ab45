/**
 * The provisioning generator: the committed dashboard, alert and rule files are exactly what
 * scripts/generate-provisioning.ts produces from plugin/src/queries, and --check catches a stale file.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoPath, run } from './repo';

const TSX = repoPath('node_modules', '.bin', 'tsx');
const GENERATOR = repoPath('scripts', 'generate-provisioning.ts');
const generate = (...args: string[]) => run(TSX, [GENERATOR, ...args], { timeoutMs: 120000 });

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

let outDir: string;
let generated: string[];

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'ollama-lens-gen-'));
  const r = generate('--out', outDir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  generated = listFiles(outDir)
    .map((p) => relative(outDir, p))
    .sort();
});

it('writes the dashboard (provisioned and app copy), the Grafana rules and notifications, and the Prometheus rules', () => {
  expect(generated).toEqual(
    [
      'plugin/src/dashboards/overview.json',
      'prometheus/rules/ollama-lens.rules.yml',
      'provisioning/alerting/ollama-lens-notifications.yaml',
      'provisioning/alerting/ollama-lens-rules.yaml',
      'provisioning/dashboards/dashboards.yaml',
      'provisioning/dashboards/ollama-overview.json',
    ].sort()
  );
});

it('the committed files are up to date (re-run `npx tsx scripts/generate-provisioning.ts` if this fails)', () => {
  for (const path of generated) {
    expect({ path, content: readFileSync(repoPath(path), 'utf8') }).toEqual({
      path,
      content: readFileSync(join(outDir, path), 'utf8'),
    });
  }
});

it('--check passes on the repository', () => {
  const r = generate('--check');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('--check fails and names the file when a generated file is stale or missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-gen-stale-'));
  expect(generate('--out', dir).status).toBe(0);
  const rules = join(dir, 'prometheus/rules/ollama-lens.rules.yml');
  writeFileSync(rules, readFileSync(rules, 'utf8').replace('> 0.05', '> 0.5'));
  const r = generate('--check', '--out', dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('prometheus/rules/ollama-lens.rules.yml');
  expect(r.stderr).not.toContain('ollama-overview.json');

  const empty = mkdtempSync(join(tmpdir(), 'ollama-lens-gen-empty-'));
  const missing = generate('--check', '--out', empty);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain('provisioning/dashboards/ollama-overview.json');
});

it('rejects unknown arguments with a usage message', () => {
  const r = generate('--frobnicate');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('unknown argument --frobnicate');
});

it('runs from any working directory', () => {
  const r = run(TSX, [GENERATOR, '--check'], { cwd: tmpdir(), timeoutMs: 120000 });
  expect(r.status).toBe(0);
});
