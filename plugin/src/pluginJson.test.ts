/**
 * plugin.json files against Grafana's published JSON Schema (vendored in tests/schema, draft-07), plus
 * the nested-plugin rules Grafana's plugin validator applies, for the sources and the built dist/.
 */
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ACTIONS_PROXY_ROUTE,
  ACTIONS_TOKEN_HEADER,
  APP_BASE_URL,
  APP_ID,
  APP_ROUTES,
  MESSAGES_DATASOURCE_TYPE,
  MESSAGES_DATASOURCE_UID,
  OVERVIEW_DASHBOARD_UID,
  PROXY_ROUTE,
} from '@ollama-lens/contracts';

const PLUGIN = join(__dirname, '..');
const schema = JSON.parse(readFileSync(join(PLUGIN, 'tests/schema/plugin.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;
// The schema's patterns escape '-' (valid in JavaScript's default regex mode, not in unicode mode).
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

interface PluginJson {
  id: string;
  type: string;
  name: string;
  info: { version: string; updated: string; logos: { small: string; large: string } };
  includes?: Array<{ type: string; path?: string; name?: string; addToNav?: boolean; defaultNav?: boolean }>;
  routes?: Array<{
    path: string;
    url?: string;
    reqRole?: string;
    headers?: Array<{ name: string; content: string }>;
  }>;
  dependencies: { grafanaDependency: string };
  metrics?: boolean;
}

const read = (path: string): PluginJson => JSON.parse(readFileSync(path, 'utf8')) as PluginJson;
const ID_PATTERN = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/;
const SIDECAR_ROUTE = {
  path: PROXY_ROUTE,
  url: '{{ .JsonData.url }}',
  headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' }],
};
// Model actions: Grafana lets only org Admins through, adding the sidecar's actions token beside the read token.
const ACTIONS_ROUTE = {
  path: ACTIONS_PROXY_ROUTE,
  reqRole: 'Admin',
  url: '{{ .JsonData.url }}',
  headers: [
    { name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' },
    { name: ACTIONS_TOKEN_HEADER, content: '{{ .SecureJsonData.actionsToken }}' },
  ],
};

describe.each([
  ['src', join(PLUGIN, 'src')],
  ['dist', join(PLUGIN, 'dist')],
])('plugin.json files in %s', (where, root) => {
  const app = read(join(root, 'plugin.json'));
  const ds = read(join(root, 'datasource/plugin.json'));

  it('are valid against Grafana’s schema', () => {
    for (const json of [app, ds]) {
      const ok = validate(json);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  // plugin.json cannot import the contract's ids and routes: these checks keep the two the same.
  it('declare the contract’s ids, the nested data source and the pages', () => {
    expect(app).toMatchObject({ type: 'app', id: APP_ID });
    expect(ds).toMatchObject({ type: 'datasource', id: MESSAGES_DATASOURCE_TYPE, metrics: true });
    expect(app.id).toMatch(ID_PATTERN);
    expect(ds.id).toMatch(ID_PATTERN);
    const dsInclude = app.includes?.find((i) => i.type === 'datasource');
    expect(dsInclude?.path).toBe('datasource/plugin.json');
    expect(existsSync(join(root, dsInclude!.path!))).toBe(true);
    const pages = app.includes?.filter((i) => i.type === 'page').map((i) => [i.name, i.path, Boolean(i.defaultNav)]);
    const prefix = where === 'src' ? '/a/%PLUGIN_ID%' : APP_BASE_URL;
    expect(pages).toEqual([
      ['Overview', `${prefix}/${APP_ROUTES.overview}`, true],
      ['Explorer', `${prefix}/${APP_ROUTES.explorer}`, false],
      ['Models', `${prefix}/${APP_ROUTES.models}`, false],
      ['Playground', `${prefix}/${APP_ROUTES.playground}`, false],
    ]);
  });

  it('include the Overview dashboard with its fixed uid', () => {
    const include = app.includes?.find((i) => i.type === 'dashboard');
    expect(include?.path).toBe('dashboards/overview.json');
    const dashboard = JSON.parse(readFileSync(join(root, include!.path!), 'utf8')) as { uid: string; title: string };
    expect(dashboard.uid).toBe(OVERVIEW_DASHBOARD_UID);
  });

  it('reach the sidecar only through server-side routes with the secret tokens, actions for Admins only', () => {
    expect(ds.routes).toEqual([ACTIONS_ROUTE, SIDECAR_ROUTE]);
    expect(app.routes).toEqual([SIDECAR_ROUTE]);
  });

  it('order routes so none is shadowed: Grafana takes the first whose path is a plain prefix of the request', () => {
    // pkg/api/pluginproxy matches with strings.HasPrefix in plugin.json order: `sidecar` listed before
    // `sidecar-actions` would take `sidecar-actions/…` (without its role check or its token).
    for (const json of [app, ds]) {
      const paths = (json.routes ?? []).map((r) => r.path);
      paths.forEach((later, j) =>
        paths.slice(0, j).forEach((earlier) => expect(later.startsWith(earlier)).toBe(false))
      );
    }
  });

  it('name an open-ended Grafana version range (the validator flags pinned ones) and logos that exist', () => {
    for (const json of [app, ds]) {
      expect(json.dependencies.grafanaDependency).toBe('>=12.3.0');
    }
    expect(existsSync(join(root, app.info.logos.small))).toBe(true);
    expect(existsSync(join(root, dirname('datasource/plugin.json'), ds.info.logos.small))).toBe(true);
    if (where === 'dist') {
      expect(app.info.version).toBe(JSON.parse(readFileSync(join(PLUGIN, 'package.json'), 'utf8')).version);
      expect(app.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(JSON.stringify(app)).not.toContain('%PLUGIN_ID%');
    }
  });
});

it('the vendored schema is Grafana’s plugin.json schema', () => {
  expect(schema.$schema).toMatch(/^http:\/\/json-schema.org\/draft-07\/schema#?$/);
  expect(schema.required).toEqual(['type', 'name', 'id', 'info', 'dependencies']);
  expect(validate({ type: 'app', name: 'x', id: 'Bad Id', info: {}, dependencies: {} })).toBe(false);
  expect(MESSAGES_DATASOURCE_UID).toBe('ollamalens-messages');
});
