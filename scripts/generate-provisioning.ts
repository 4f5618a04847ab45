/**
 * Generates the provisioned Overview dashboard, the Grafana alert rules and notifications, and the Prometheus
 * rules from the query catalogue (plugin/src/queries).
 *
 *   npx tsx scripts/generate-provisioning.ts                # write the files
 *   npx tsx scripts/generate-provisioning.ts --check        # exit 1 when a file is missing or stale (CI)
 *   npx tsx scripts/generate-provisioning.ts --out <dir>    # write to / check <dir> instead of the repo root
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generatedFiles } from './provisioning/outputs';

interface Options {
  check: boolean;
  root: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { check: false, root: resolve(__dirname, '..') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') opts.check = true;
    else if (arg === '--out') {
      const dir = argv[++i];
      if (!dir) throw new Error('--out needs a directory');
      opts.root = resolve(dir);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npx tsx scripts/generate-provisioning.ts [--check] [--out <dir>]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (usage: [--check] [--out <dir>])`);
  }
  return opts;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const files = await generatedFiles();
  if (opts.check) {
    const stale = files.filter((f) => readOrNull(join(opts.root, f.path)) !== f.content).map((f) => f.path);
    if (stale.length > 0) {
      process.stderr.write(
        `stale generated files (run \`npx tsx scripts/generate-provisioning.ts\` and commit the result):\n${stale.map((p) => `  ${p}\n`).join('')}`
      );
      return 1;
    }
    process.stdout.write(`${files.length} generated files are up to date\n`);
    return 0;
  }
  for (const f of files) {
    const path = join(opts.root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    process.stdout.write(`wrote ${f.path}\n`);
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`generate-provisioning: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
);
