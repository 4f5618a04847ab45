/**
 * A stand-in for the parts of Grafana's HTTP API the plugin uses, so the pages can be tested with real
 * HTTP against a real sidecar while no Grafana can run here:
 * - the data source proxy (`/api/datasources/proxy/uid/<uid>/<route>/…`) and the app plugin proxy
 *   (`/api/plugin-proxy/<app id>/<route>/…`), which apply the `routes` of OUR plugin.json files (URL and
 *   header templates) exactly as shipped, including Grafana's rewrite of an upstream 401 into a 400;
 * - `/api/datasources` (list, get, create, update) and `/api/plugins/<id>/settings` (app settings).
 * It keeps secrets server-side like Grafana: they are never returned, only `secureJsonFields`.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { LoopbackServer, readBody } from '@ollama-lens/testkit/http';

export interface PluginRoute {
  path: string;
  url?: string;
  /** The lowest org role that may use the route (Grafana answers 403 to anyone below it). */
  reqRole?: OrgRoleName;
  headers?: Array<{ name: string; content: string }>;
}

export type OrgRoleName = 'Viewer' | 'Editor' | 'Admin';
const ROLE_RANK: Record<OrgRoleName, number> = { Viewer: 0, Editor: 1, Admin: 2 };

/** Headers a proxy never passes on (RFC 9110 hop-by-hop), and cookies, which Grafana's data source proxy drops. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
]);

interface PluginJson {
  id: string;
  type: string;
  name: string;
  routes?: PluginRoute[];
}

export interface EmulatedDataSource {
  id: number;
  uid: string;
  name: string;
  type: string;
  access: 'proxy';
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  readOnly: boolean;
  /** Grafana's own data sources (Prometheus) proxy straight to this URL. */
  url?: string;
}

export interface AppSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const SRC = join(__dirname, '..');

export function readPluginJson(relative: string): PluginJson {
  return JSON.parse(readFileSync(join(SRC, relative), 'utf8')) as PluginJson;
}

/** Grafana renders route templates with Go templates; ours only use `{{ .JsonData.x }}` and `{{ .SecureJsonData.x }}`. */
export function renderRouteTemplate(
  template: string,
  jsonData: Record<string, unknown>,
  secureJsonData: Record<string, string>
): string {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_m, scope: string, key: string) => {
    const value = scope === 'JsonData' ? jsonData[key] : secureJsonData[key];
    return value === undefined || value === null ? '' : String(value);
  });
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
  });
  res.end(text);
}

export class GrafanaEmulator extends LoopbackServer {
  readonly datasources = new Map<string, EmulatedDataSource>();
  readonly requests: RecordedRequest[] = [];
  app: AppSettings = { enabled: true, pinned: true, jsonData: {}, secureJsonData: {} };
  /** The signed-in user's org role: routes with a higher `reqRole` answer 403, as in Grafana. */
  userRole: OrgRoleName = 'Admin';
  private nextId = 1;
  private readonly appPlugin: PluginJson;
  private readonly dataSourcePlugins: Map<string, PluginJson>;

  /**
   * @param serveOther serves what is not Grafana's API (the browser suite's host page and bundles);
   *   returns false when it does not handle the request.
   */
  constructor(private readonly serveOther?: (req: IncomingMessage, res: ServerResponse) => boolean) {
    super();
    this.appPlugin = readPluginJson('plugin.json');
    const ds = readPluginJson('datasource/plugin.json');
    this.dataSourcePlugins = new Map([[ds.id, ds]]);
  }

  addDataSource(
    ds: Omit<EmulatedDataSource, 'id' | 'access' | 'readOnly'> & { readOnly?: boolean }
  ): EmulatedDataSource {
    const record: EmulatedDataSource = { ...ds, id: this.nextId++, access: 'proxy', readOnly: ds.readOnly ?? false };
    this.datasources.set(record.uid, record);
    return record;
  }

  protected override fail(res: ServerResponse, err: Error): void {
    send(res, 500, { message: err.message });
  }

  private view(ds: EmulatedDataSource) {
    const { secureJsonData, ...rest } = ds;
    return {
      ...rest,
      url: '',
      secureJsonFields: Object.fromEntries(
        Object.keys(secureJsonData)
          .filter((k) => secureJsonData[k] !== '')
          .map((k) => [k, true])
      ),
    };
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.serveOther?.(req, res)) {
      return;
    }
    const body = (await readBody(req)).toString('utf8');
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://grafana.invalid');
    this.requests.push({ method, url: req.url ?? '/', headers: req.headers, body });
    const path = url.pathname;
    let m: RegExpMatchArray | null;

    if ((m = path.match(/^\/api\/datasources\/proxy\/uid\/([^/]+)\/(.*)$/))) {
      const ds = this.datasources.get(decodeURIComponent(m[1]));
      const plugin = ds && this.dataSourcePlugins.get(ds.type);
      if (ds && !plugin && ds.url) {
        const route = { path: m[2].split('/')[0], url: `${ds.url.replace(/\/+$/, '')}/${m[2].split('/')[0]}` };
        return this.proxy(req, res, body, [route], m[2], url.search, ds.jsonData, ds.secureJsonData, false);
      }
      if (!ds || !plugin) {
        return send(res, 404, { message: 'Unable to find datasource' });
      }
      return this.proxy(req, res, body, plugin.routes ?? [], m[2], url.search, ds.jsonData, ds.secureJsonData, true);
    }
    if ((m = path.match(/^\/api\/plugin-proxy\/([^/]+)\/(.*)$/))) {
      if (m[1] !== this.appPlugin.id) {
        return send(res, 404, { message: 'Plugin not found' });
      }
      return this.proxy(
        req,
        res,
        body,
        this.appPlugin.routes ?? [],
        m[2],
        url.search,
        this.app.jsonData,
        this.app.secureJsonData,
        false
      );
    }
    if (path === '/api/datasources' && method === 'GET') {
      return send(
        res,
        200,
        Array.from(this.datasources.values()).map((d) => this.view(d))
      );
    }
    if (path === '/api/datasources' && method === 'POST') {
      const input = JSON.parse(body || '{}') as Partial<EmulatedDataSource> & {
        secureJsonData?: Record<string, string>;
      };
      if (!input.name || !input.type) {
        return send(res, 400, { message: 'Validation error: name and type are required' });
      }
      const clash = Array.from(this.datasources.values()).find(
        (d) => d.name === input.name || (input.uid && d.uid === input.uid)
      );
      if (clash) {
        return send(res, 409, { message: 'data source with the same name already exists' });
      }
      const created = this.addDataSource({
        uid: input.uid ?? `ds-${this.nextId}`,
        name: input.name,
        type: input.type,
        jsonData: input.jsonData ?? {},
        secureJsonData: input.secureJsonData ?? {},
      });
      return send(res, 200, {
        datasource: this.view(created),
        id: created.id,
        name: created.name,
        message: 'Datasource added',
      });
    }
    if ((m = path.match(/^\/api\/datasources\/uid\/([^/]+)$/))) {
      const ds = this.datasources.get(decodeURIComponent(m[1]));
      if (!ds) {
        return send(res, 404, { message: 'Data source not found' });
      }
      if (method === 'GET') {
        return send(res, 200, this.view(ds));
      }
      if (method === 'PUT') {
        if (ds.readOnly) {
          return send(res, 403, { message: 'Cannot update read-only data source' });
        }
        const input = JSON.parse(body || '{}') as Partial<EmulatedDataSource> & {
          secureJsonData?: Record<string, string>;
        };
        ds.name = input.name ?? ds.name;
        ds.jsonData = input.jsonData ?? ds.jsonData;
        ds.secureJsonData = { ...ds.secureJsonData, ...(input.secureJsonData ?? {}) };
        return send(res, 200, { datasource: this.view(ds), id: ds.id, name: ds.name, message: 'Datasource updated' });
      }
    }
    if ((m = path.match(/^\/api\/plugins\/([^/]+)\/settings$/)) && m[1] === this.appPlugin.id) {
      if (method === 'GET') {
        const { secureJsonData, ...rest } = this.app;
        return send(res, 200, {
          id: this.appPlugin.id,
          ...rest,
          secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((k) => [k, true])),
        });
      }
      if (method === 'POST') {
        const input = JSON.parse(body || '{}') as Partial<AppSettings>;
        this.app = {
          enabled: input.enabled ?? this.app.enabled,
          pinned: input.pinned ?? this.app.pinned,
          jsonData: input.jsonData ?? this.app.jsonData,
          secureJsonData: { ...this.app.secureJsonData, ...(input.secureJsonData ?? {}) },
        };
        return send(res, 200, { message: 'Plugin settings updated' });
      }
    }
    return send(res, 404, { message: 'Not found' });
  }

  /**
   * Grafana's proxy: the FIRST route, in plugin.json order, whose path is a plain string prefix of the
   * proxy path (pkg/api/pluginproxy: strings.HasPrefix, no segment boundary, so a route `a` placed before
   * `a-b` takes `a-b/…` too), its rendered URL and headers, client credentials dropped.
   */
  private proxy(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    routes: PluginRoute[],
    proxyPath: string,
    search: string,
    jsonData: Record<string, unknown>,
    secureJsonData: Record<string, string>,
    rewrite401: boolean
  ) {
    const route = routes.find((r) => proxyPath.startsWith(r.path));
    if (!route || !route.url) {
      return send(res, 404, { message: 'Plugin route not found' });
    }
    if (route.reqRole && ROLE_RANK[this.userRole] < ROLE_RANK[route.reqRole]) {
      return send(res, 403, { message: 'plugin proxy route access denied' });
    }
    const base = renderRouteTemplate(route.url, jsonData, secureJsonData).replace(/\/+$/, '');
    let target: URL;
    try {
      target = new URL(`${base}${proxyPath.slice(route.path.length)}${search}`);
    } catch {
      return send(res, 500, { message: `Failed to render plugin route URL "${base}"` });
    }
    const headers: http.OutgoingHttpHeaders = { accept: req.headers.accept ?? '*/*' };
    if (req.headers['content-type']) {
      headers['content-type'] = req.headers['content-type'];
    }
    for (const h of route.headers ?? []) {
      headers[h.name.toLowerCase()] = renderRouteTemplate(h.content, jsonData, secureJsonData);
    }
    const client = target.protocol === 'https:' ? https : http;
    const upstream = client.request(target, { method: req.method, headers }, (up) => {
      if (rewrite401 && up.statusCode === 401) {
        up.resume();
        return send(res, 400, 'Authentication to data source failed');
      }
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) {
        if (value !== undefined && !NOT_FORWARDED.has(name)) {
          out[name] = value;
        }
      }
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    // Grafana's reverse proxy cancels the upstream request when the browser goes away (a stopped stream).
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
      }
    });
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502);
      }
      res.end();
    });
    upstream.end(body || undefined);
  }
}
