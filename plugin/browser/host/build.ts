/**
 * Bundles the host entry with esbuild, resolving every package against the repository's node_modules, so
 * the host's React and @grafana copies are the ones the plugin was built against. Rebuilt when a host
 * source is newer than the bundle.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const HOST_SRC = __dirname;
const REPO = join(__dirname, '..', '..', '..');

export const HOST_OUT = join(__dirname, '..', '.host');

function newest(dir: string): number {
  return Math.max(
    ...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs),
    statSync(join(REPO, 'package-lock.json')).mtimeMs
  );
}

export async function buildHost(outdir = HOST_OUT): Promise<string> {
  const bundle = join(outdir, 'host.js');
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(HOST_SRC)) {
    return outdir;
  }
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { host: join(HOST_SRC, 'main.tsx') },
    outdir,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    nodePaths: [join(REPO, 'node_modules'), join(REPO, 'plugin', 'node_modules')],
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file', '.eot': 'file' },
    assetNames: 'assets/[name]-[hash]',
    logLevel: 'error',
    plugins: [
      {
        // setPluginPage is not exported by @grafana/runtime 13.1.0, and its package "exports" hide the module
        // file; resolving it to that very file keeps one copy (the one the runtime's index re-exports).
        name: 'grafana-runtime-plugin-page',
        setup(b) {
          b.onResolve({ filter: /^@grafana\/runtime\/dist\/esm\/components\/PluginPage\.mjs$/ }, () => ({
            path: join(REPO, 'node_modules', '@grafana', 'runtime', 'dist', 'esm', 'components', 'PluginPage.mjs'),
          }));
        },
      },
    ],
  });
  return outdir;
}
