/**
 * What the browser loads, on one origin: the host page for every app and plugin URL, the host bundle,
 * the built plugin under Grafana's `public/plugins/<id>/` path, and Grafana's HTTP API (data source
 * proxy, plugin settings, /api/datasources) from the GrafanaEmulator.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { PLUGIN_ID } from '../../src/constants';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export interface HostFiles {
  /** plugin/dist */
  pluginDist: string;
  /** esbuild output of the host entry (host.js, host.css, assets) */
  hostDir: string;
}

/** Grafana serves @grafana/ui's icons from public/build/img/icons; the package ships them. */
const ICONS = join(dirname(require.resolve('@grafana/ui/package.json')), 'dist', 'public', 'img', 'icons');

/** The page Grafana would serve: boot data inline before any bundle (its config is built at import time). */
export function hostPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<base href="/">
<title>Ollama Lens</title>
<link rel="stylesheet" href="/host/host.css">
<script>
  (function () {
    var theme = window.__hostTheme || new URLSearchParams(location.search).get('__theme') || 'dark';
    window.grafanaBootData = {
      assets: { dark: '', light: '' },
      navTree: [],
      user: { theme: theme, id: 1, login: 'admin', name: 'Admin', orgId: 1, orgRole: 'Admin', isSignedIn: true, timezone: 'browser', locale: 'en-US', language: 'en-US', permissions: {} },
      settings: {
        appSubUrl: '', appUrl: location.origin + '/', buildInfo: { version: '13.1.0', commit: 'host', env: 'production', edition: 'Open Source' },
        featureToggles: {}, datasources: {}, panels: {}, apps: {}, defaultDatasource: '', minRefreshInterval: '5s', bootData: {}
      }
    };
  })();
</script>
</head>
<body>
<div id="reactRoot"></div>
<script src="/host/host.js"></script>
</body>
</html>`;
}

function sendFile(res: ServerResponse, file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) {
    return false;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Bundles do not change during a run: let the browser keep them across navigations.
    'cache-control': 'max-age=600',
  });
  createReadStream(file).pipe(res);
  return true;
}

function inside(root: string, relative: string): string | undefined {
  const file = normalize(join(root, decodeURIComponent(relative)));
  return file.startsWith(root) ? file : undefined;
}

/** Handles the non-API part of the origin; returns false for paths it does not serve. */
export function serveHost(files: HostFiles, req: IncomingMessage, res: ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'http://host.invalid').pathname;
  const pluginPrefix = `/public/plugins/${PLUGIN_ID}/`;
  if (path.startsWith(pluginPrefix)) {
    const file = inside(files.pluginDist, path.slice(pluginPrefix.length));
    if (file && sendFile(res, file)) {
      return true;
    }
  } else if (path.startsWith('/public/build/img/icons/')) {
    const file = inside(ICONS, path.slice('/public/build/img/icons/'.length));
    if (file && sendFile(res, file)) {
      return true;
    }
  } else if (path.startsWith('/host/')) {
    const file = inside(files.hostDir, path.slice('/host/'.length));
    if (file && sendFile(res, file)) {
      return true;
    }
  } else if (path === '/' || path.startsWith('/a/') || path.startsWith('/plugins/')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(hostPage());
    return true;
  }
  if (path.startsWith('/api/')) {
    return false;
  }
  // Grafana's own fonts and icons are in no package: a plain 404 (an HTML page would be parsed as a font).
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
  return true;
}
