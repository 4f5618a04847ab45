/**
 * Where the Go module cache holds the modules of sidecar/test/stack/otelcol (the collector components at the
 * pinned image's release, downloaded by scripts/install-otelcol.sh). Offline and exact: GOPROXY=off and a
 * read-only go.mod, so a test reads the versions go.sum pins or fails saying what to install.
 */
import { join } from 'node:path';
import { repoPath, run } from './repo';

export const OTELCOL_MODULE_DIR = repoPath('sidecar/test/stack/otelcol');
export const OTELCOL_INSTALL = 'scripts/install-otelcol.sh';
export const CLICKHOUSE_EXPORTER =
  'github.com/open-telemetry/opentelemetry-collector-contrib/exporter/clickhouseexporter';

/** Go module path → its directory in the module cache, or go's error text. */
export function otelcolModuleDirs(): Map<string, string> | string {
  // The modules of the packages otelcol-validate is built from: what its build downloaded. (`go list -m all`
  // would want the go.mod of every module in the graph, which a build does not fetch, so it fails offline.)
  const r = run('go', ['list', '-deps', '-f', '{{with .Module}}{{.Path}} {{.Dir}}{{end}}', '.'], {
    cwd: OTELCOL_MODULE_DIR,
    env: { ...process.env, GOFLAGS: '-mod=readonly', GOPROXY: 'off' },
  });
  if (r.status !== 0) return r.stderr;
  const dirs = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [path, dir] = line.split(' ');
    if (path && dir) dirs.set(path, dir);
  }
  return dirs;
}

/** A file of one module of the build list; throws with the install hint when the module is not there. */
export function otelcolModuleFile(module: string, file: string): string {
  const dirs = otelcolModuleDirs();
  const dir = typeof dirs === 'string' ? undefined : dirs.get(module);
  if (!dir)
    throw new Error(`${module} is not in the Go module cache (${String(dirs)}): run ${OTELCOL_INSTALL}`);
  return join(dir, file);
}
