/**
 * Structure of what a fresh Grafana and Prometheus load: the Overview dashboard, the datasources, the app,
 * the Grafana alert rules and notifications, and the Prometheus rules. Every reference must resolve (datasource
 * uids, panel ids, variables), every panel must query something, and every metric and label a query names must
 * exist in the sidecar's metric contract.
 */
import { METRICS } from '../../src/metrics/contract';
import { loadCatalogue } from './catalogue';
import {
  PATHS,
  dashboardTargets,
  isMessagesPanel,
  grafanaInterpolate,
  readJson,
  readText,
  readYaml,
  type Dashboard,
  type DatasourceRef,
  type GrafanaRulesFile,
  type ProvisionedDatasource,
  type PrometheusRulesFile,
} from './repo';

const catalogue = loadCatalogue();
const dashboard = readJson<Dashboard>(PATHS.dashboard);
const datasources = readYaml<{ apiVersion: number; datasources: ProvisionedDatasource[] }>(
  PATHS.datasources
).datasources;
const grafanaRules = readYaml<GrafanaRulesFile>(PATHS.grafanaRules);
const prometheusRules = readYaml<PrometheusRulesFile>(PATHS.prometheusRules);
const rules = grafanaRules.groups.flatMap((g) => g.rules);
const promRules = prometheusRules.groups.flatMap((g) => g.rules);

const ISSUE_ALERTS = [
  'HighErrorRate',
  'HighLatency',
  'LowTokenThroughput',
  'ServiceDown',
  'ModelOffloadedToCPU',
  'GPUTemperatureHigh',
  'QueueBacklog',
  'MessageStoreDropping',
];
const DURATION = /^(0|(\d+(ms|[smhdwy]))+)$/;

// ── PromQL scanning (enough for our expressions: metric names, selector labels, `by` labels) ─────────────────

interface KnownMetric {
  labels: string[];
  histogram: boolean;
  exemplars: boolean;
}

const TARGET_LABELS = ['job', 'instance'];
const known = new Map<string, KnownMetric>();
for (const m of Object.values(METRICS)) {
  const spec: {
    name: string;
    type: string;
    labels: readonly string[];
    optionalLabels?: readonly string[];
    exemplars?: boolean;
  } = m;
  const labels = [...spec.labels, ...(spec.optionalLabels ?? []), ...TARGET_LABELS];
  const entry: KnownMetric = {
    labels,
    histogram: spec.type === 'histogram',
    exemplars: spec.exemplars === true,
  };
  if (spec.type === 'histogram') {
    known.set(`${spec.name}_bucket`, { ...entry, labels: [...labels, 'le'] });
    known.set(`${spec.name}_sum`, entry);
    known.set(`${spec.name}_count`, entry);
  } else known.set(spec.name, entry);
}
known.set('up', { labels: TARGET_LABELS, histogram: false, exemplars: false });

const PROMQL_WORDS = new Set([
  'sum',
  'by',
  'rate',
  'increase',
  'histogram_quantile',
  'max',
  'min',
  'count',
  'avg',
  'or',
  'and',
  'on',
  'unless',
  'vector',
  'round',
  'without',
  'offset',
  'bool',
  'group_left',
  'group_right',
  'ignoring',
  'le',
  'inf',
  'nan',
]);

/** Names that look like metrics: identifiers that are not functions, keywords or label names inside braces/parens. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|on|without|ignoring)\s*\([^)]*\)/g, '');
  const bare = [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b/g)]
    .map((m) => m[1])
    .filter((w) => !PROMQL_WORDS.has(w.toLowerCase()) && !/^\d/.test(w));
  // `{__name__=~"a|b"}` names metrics too.
  const byName = [...expr.matchAll(/__name__\s*=~?\s*"([^"]+)"/g)].flatMap((m) => m[1].split('|'));
  return [...bare, ...byName];
}

/** `metric{label op "v", …}` selectors: the metric (or null for `{__name__=…}`) and its matcher label names. */
function selectors(expr: string): { metric: string | null; labels: string[] }[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\{([^}]*)\}/g)].map((m) => ({
    metric: m[1] ?? null,
    labels: m[2]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const label = /^([a-zA-Z_]\w*)\s*(=~|!~|!=|=)/.exec(s);
        if (!label) throw new Error(`unreadable matcher "${s}" in ${expr}`);
        return label[1];
      }),
  }));
}

/** Each `by (…)` clause with the metrics of the expression it aggregates. */
function byClauses(expr: string): { labels: string[]; metrics: string[] }[] {
  const out: { labels: string[]; metrics: string[] }[] = [];
  for (const m of expr.matchAll(/\bby\s*\(([^)]*)\)\s*\(/g)) {
    let depth = 1;
    let i = (m.index ?? 0) + m[0].length;
    const start = i;
    for (; i < expr.length && depth > 0; i++) depth += expr[i] === '(' ? 1 : expr[i] === ')' ? -1 : 0;
    out.push({
      labels: m[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      metrics: metricNames(expr.slice(start, i - 1)),
    });
  }
  return out;
}

function checkAgainstContract(expr: string): string[] {
  const problems: string[] = [];
  for (const name of metricNames(expr)) if (!known.has(name)) problems.push(`unknown metric ${name}`);
  for (const s of selectors(expr)) {
    const labels = s.metric ? known.get(s.metric)?.labels : undefined;
    for (const l of s.labels) {
      if (l === '__name__' && !s.metric) continue;
      if (labels && !labels.includes(l)) problems.push(`${s.metric} has no label ${l}`);
    }
  }
  for (const b of byClauses(expr)) {
    for (const l of b.labels)
      if (!b.metrics.some((name) => known.get(name)?.labels.includes(l)))
        problems.push(`by (${l}) over ${b.metrics.join(', ')}: no such label`);
  }
  return problems;
}

// ── Datasource resolution ──────────────────────────────────────────────────────────────────────────────────

function variableValue(name: string): string {
  const v = dashboard.templating.list.find((x) => x.name === name);
  if (!v) throw new Error(`no dashboard variable $${name}`);
  const value = v.current?.value;
  if (typeof value !== 'string') throw new Error(`variable $${name} has no single default value`);
  return value;
}

/** A datasource reference as Grafana resolves it on load: `${var}` through the dashboard variable's default. */
function resolveDatasource(ref: DatasourceRef | undefined): ProvisionedDatasource | undefined {
  if (!ref?.uid) return undefined;
  const variable = /^\$\{?(\w+)\}?$/.exec(ref.uid);
  const uid = variable ? variableValue(variable[1]) : ref.uid;
  return datasources.find((d) => d.uid === uid);
}

describe('Overview dashboard', () => {
  it('is provisioned and bundled in the app identically, with a fixed uid and no numeric id', () => {
    expect(readText(PATHS.appDashboard)).toBe(readText(PATHS.dashboard));
    expect(dashboard.uid).toBe(catalogue.OVERVIEW_DASHBOARD_UID);
    expect(dashboard.id).toBeNull();
  });

  it('has unique panel ids, and every panel and row sits inside the 24-column grid without overlapping', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, number>();
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const key = `${x},${y}`;
          expect({ cell: key, taken: cells.get(key) }).toEqual({ cell: key, taken: undefined });
          cells.set(key, p.id);
        }
      }
    }
  });

  it('has the layout of the design: cards, performance, resources, comparison, errors & alerts, host', () => {
    const types = Object.fromEntries(dashboard.panels.map((p) => [p.title, p.type]));
    expect(types).toMatchObject({
      'Requests / min': 'stat',
      'Avg latency': 'stat',
      'Error rate': 'stat',
      'Token rate': 'stat',
      'Request rate & latency': 'timeseries',
      'Tokens/s by model': 'timeseries',
      'Latency distribution': 'heatmap',
      'Time to first token by model': 'timeseries',
      'Model memory (VRAM vs RAM)': 'timeseries',
      'Active models & queue depth': 'timeseries',
      'Input vs output tokens': 'piechart',
      'Cost by model': 'timeseries',
      'Model comparison': 'table',
      'Errors by type': 'timeseries',
      Alerts: 'alertlist',
      'GPU & CPU utilization': 'timeseries',
      'GPU power': 'timeseries',
      Temperature: 'timeseries',
    });
    for (const title of ['Requests / min', 'Avg latency', 'Error rate', 'Token rate']) {
      expect(dashboard.panels.find((p) => p.title === title)?.options).toMatchObject({
        showPercentChange: true,
      });
    }
  });

  it('opens with the status line and shows the events as one toggleable annotation layer per group', () => {
    const [first] = [...dashboard.panels].sort(
      (a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x
    );
    expect(first).toMatchObject({ id: 90, type: 'stat', title: 'Status', gridPos: { x: 0, y: 0, w: 24 } });
    expect(first.datasource).toEqual({
      type: 'ollamalens-messages-datasource',
      uid: catalogue.MESSAGES_DATASOURCE_UID,
    });
    expect(first.targets).toEqual([expect.objectContaining({ queryType: 'status' })]);
    expect(resolveDatasource(first.datasource)?.type).toBe('ollamalens-messages-datasource');
    const layers = dashboard.annotations.list.filter(
      (a) => a.datasource?.type === 'ollamalens-messages-datasource'
    );
    expect(layers.map((a) => [a.name, a.enable, a.target?.queryType, a.target?.eventGroups])).toEqual([
      ['Models', true, 'events', 'models'],
      ['Ollama', true, 'events', 'ollama'],
      ['Sidecar', true, 'events', 'sidecar'],
    ]);
    // Firing alerts stay Grafana's own built-in annotations.
    expect(dashboard.annotations.list[0]).toMatchObject({ builtIn: 1, datasource: { type: 'grafana' } });
  });

  it('has the variables: Prometheus datasource, model and user (multi, All), window', () => {
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.datasource).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
      current: { value: catalogue.PROMETHEUS_DATASOURCE_UID },
    });
    for (const name of ['model', 'user'])
      expect(vars[name]).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
    expect(vars.window).toMatchObject({ type: 'interval' });
  });

  it('every panel but rows and the alert list has queries, each with an expression and a unique refId', () => {
    for (const p of dashboard.panels.filter(
      (x) => x.type !== 'row' && x.type !== 'alertlist' && !isMessagesPanel(x)
    )) {
      const targets = p.targets ?? [];
      expect({ panel: p.title, queries: targets.length > 0 }).toEqual({ panel: p.title, queries: true });
      for (const t of targets) expect(t.expr.trim()).not.toBe('');
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
    }
  });

  it('every panel, query and variable datasource resolves to a provisioned Prometheus', () => {
    const refs: { where: string; ref: DatasourceRef | undefined }[] = [
      ...dashboard.panels
        .filter((p) => p.type !== 'row' && p.type !== 'alertlist' && !isMessagesPanel(p))
        .map((p) => ({ where: p.title, ref: p.datasource })),
      ...dashboardTargets(dashboard).map(({ panel, target }) => ({
        where: `${panel.title}/${target.refId}`,
        ref: target.datasource,
      })),
      ...dashboard.templating.list
        .filter((v) => v.type === 'query')
        .map((v) => ({ where: `$${v.name}`, ref: v.datasource })),
    ];
    expect(refs.length).toBeGreaterThan(30);
    for (const { where, ref } of refs)
      expect({ where, type: resolveDatasource(ref)?.type }).toEqual({ where, type: 'prometheus' });
  });

  it('queries use only the dashboard variables and Grafana built-ins', () => {
    const allowed = new Set([
      ...dashboard.templating.list.map((v) => v.name),
      '__rate_interval',
      '__range',
      '__interval',
    ]);
    for (const { target } of dashboardTargets(dashboard)) {
      for (const m of target.expr.matchAll(/\$\{?(\w+)/g))
        expect({ expr: target.expr, variable: m[1], known: allowed.has(m[1]) }).toMatchObject({
          known: true,
        });
    }
  });

  it('every metric and label the queries name exists in the sidecar metric contract', () => {
    const exprs = [
      ...dashboardTargets(dashboard).map(({ target }) => target.expr),
      ...dashboard.templating.list.flatMap((v) =>
        typeof v.query === 'string' && v.type === 'query'
          ? [v.query.replace(/^label_values\((\w+),\s*(\w+)\)$/, '$1{$2=""}')]
          : []
      ),
    ];
    const problems = exprs.flatMap((e) => checkAgainstContract(e).map((p) => `${p} in ${e}`));
    expect(problems).toEqual([]);
  });

  it('asks for exemplars on the latency and TTFT panels, only where the histogram carries them', () => {
    const withExemplars = dashboardTargets(dashboard).filter(({ target }) => target.exemplar);
    expect(new Set(withExemplars.map(({ panel }) => panel.title))).toEqual(
      new Set(['Request rate & latency', 'Latency distribution', 'Time to first token by model'])
    );
    for (const { target } of withExemplars) {
      const histograms = metricNames(target.expr).filter((n) => n.endsWith('_bucket'));
      expect(histograms.length).toBeGreaterThan(0);
      for (const h of histograms)
        expect({ h, exemplars: known.get(h)?.exemplars }).toEqual({ h, exemplars: true });
    }
  });

  it('the alert list shows the rules by the label every rule carries', () => {
    const list = dashboard.panels.find((p) => p.type === 'alertlist');
    const filter = String(list?.options?.alertInstanceLabelFilter);
    const [, name, value] = /^\{(\w+)="([^"]+)"\}$/.exec(filter) ?? [];
    expect(name).toBeTruthy();
    for (const r of rules) expect(r.labels[name]).toBe(value);
  });

  it('links to the message Explorer', () => {
    expect(readText(PATHS.dashboard)).toContain('"url": "/a/ollamalens-explorer-app/explorer"');
  });
});

describe('datasources', () => {
  const env = { OLLAMA_LENS_ADMIN_TOKEN: 's3cret' };

  it('have unique uids and names', () => {
    expect(new Set(datasources.map((d) => d.uid)).size).toBe(datasources.length);
    expect(new Set(datasources.map((d) => d.name)).size).toBe(datasources.length);
  });

  it('Prometheus has the fixed uid, the compose address, and exemplar links to the Explorer', () => {
    const prom = datasources.find((d) => d.uid === catalogue.PROMETHEUS_DATASOURCE_UID);
    expect(prom).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const destinations = prom?.jsonData?.exemplarTraceIdDestinations as {
      name: string;
      url: string;
      urlDisplayLabel: string;
    }[];
    expect(destinations).toHaveLength(1);
    expect(destinations[0].name).toBe(catalogue.EXEMPLAR_LABEL);
    // What Grafana stores after reading the file: `$$` protects Grafana's own ${__value.raw} from env expansion.
    expect(grafanaInterpolate(destinations[0].url, env)).toBe(catalogue.EXEMPLAR_LINK_TEMPLATE);
    expect(catalogue.EXEMPLAR_LINK_TEMPLATE).toBe(
      '/a/ollamalens-explorer-app/explorer/message/${__value.raw}'
    );
  });

  it('the messages datasource is the app’s nested type, points at the sidecar and takes its token from the environment', () => {
    const messages = datasources.find((d) => d.uid === catalogue.MESSAGES_DATASOURCE_UID);
    expect(messages).toMatchObject({
      type: 'ollamalens-messages-datasource',
      jsonData: { url: 'http://sidecar:11435' },
    });
    expect(grafanaInterpolate(String(messages?.secureJsonData?.token), env)).toBe('s3cret');
    const nested = readJson<{ id: string }>('plugin/src/datasource/plugin.json');
    expect(nested.id).toBe(messages?.type);
  });
});

describe('app provisioning', () => {
  const app = readYaml<{
    apiVersion: number;
    apps: { type: string; disabled: boolean; jsonData: Record<string, string> }[];
  }>(PATHS.app);
  const plugin = readJson<{ id: string; includes: { type: string; path: string }[] }>(PATHS.pluginJson);

  it('enables the app by its plugin id, pointing it at the same sidecar and token as the messages datasource', () => {
    expect(app.apps).toHaveLength(1);
    expect(app.apps[0]).toMatchObject({ type: plugin.id, disabled: false });
    const messages = datasources.find((d) => d.uid === 'ollamalens-messages') as unknown as {
      jsonData: { url: string };
      secureJsonData: { token: string };
    };
    const appSettings = app.apps[0] as unknown as {
      jsonData: { url: string };
      secureJsonData: { token: string };
    };
    expect(appSettings.jsonData.url).toBe(messages.jsonData.url);
    expect(appSettings.secureJsonData.token).toBe(messages.secureJsonData.token);
  });

  it('the app includes the generated Overview dashboard', () => {
    expect(plugin.includes).toContainEqual(
      expect.objectContaining({ type: 'dashboard', path: 'dashboards/overview.json' })
    );
  });
});

describe('dashboard provider', () => {
  it('loads the provisioning/dashboards directory from where docker-compose mounts it', () => {
    const provider = readYaml<{ providers: { type: string; options: { path: string }; folder: string }[] }>(
      PATHS.dashboardProvider
    ).providers;
    expect(provider).toHaveLength(1);
    expect(provider[0]).toMatchObject({
      type: 'file',
      options: { path: '/etc/grafana/provisioning/dashboards' },
    });
    expect(readText(PATHS.compose)).toContain('./provisioning:/etc/grafana/provisioning:ro');
  });
});

describe('Grafana alert rules', () => {
  const panelIds = new Set(dashboard.panels.map((p) => p.id));
  const datasourceUids = new Set([...datasources.map((d) => d.uid), '__expr__']);

  it('are one valid group with the issue’s eight alerts', () => {
    expect(grafanaRules.apiVersion).toBe(1);
    for (const g of grafanaRules.groups) {
      expect(g.orgId).toBe(1);
      expect(g.name).not.toBe('');
      expect(g.folder).not.toBe('');
      expect(g.interval).toMatch(DURATION);
    }
    expect(rules.map((r) => r.title).sort()).toEqual([...ISSUE_ALERTS].sort());
  });

  it('have unique valid uids and titles', () => {
    expect(new Set(rules.map((r) => r.uid)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.title)).size).toBe(rules.length);
    for (const r of rules) expect(r.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
  });

  it.each(rules.map((r) => [r.title, r] as const))(
    '%s: valid fields, resolvable queries and a link to its panel',
    (_title, r) => {
      const refIds = r.data.map((q) => q.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(refIds).toContain(r.condition);
      for (const q of r.data) {
        expect(datasourceUids).toContain(q.datasourceUid);
        expect(q.model.refId).toBe(q.refId);
        if (q.datasourceUid === '__expr__') expect(refIds).toContain(q.model.expression);
        else expect(q.model.expr?.trim()).toBeTruthy();
      }
      expect(r.for).toMatch(DURATION);
      expect(['OK', 'Alerting', 'NoData', 'KeepLast']).toContain(r.noDataState);
      expect(['OK', 'Alerting', 'Error', 'KeepLast']).toContain(r.execErrState);
      expect(r.dashboardUid).toBe(dashboard.uid);
      expect(panelIds).toContain(r.panelId);
      expect(r.annotations.dashboard_url).toBe(`/d/${dashboard.uid}?viewPanel=${r.panelId}`);
      expect(r.annotations.summary).toBeTruthy();
      expect(r.annotations.description).toBeTruthy();
      // Newer Grafana expands braced ${VAR} in annotations; labels expand every $VAR.
      for (const text of Object.values(r.annotations)) expect(text).not.toMatch(/\$\{|%value%/);
      for (const text of Object.values(r.labels)) expect(text).not.toContain('$');
      expect(['critical', 'warning']).toContain(r.labels.severity);
    }
  );

  it('are the same alerts as the Prometheus rules: (query A) compared with the threshold of the condition', () => {
    expect(promRules.map((r) => r.alert).sort()).toEqual(rules.map((r) => r.title).sort());
    for (const r of rules) {
      const prom = promRules.find((p) => p.alert === r.title);
      const a = r.data.find((q) => q.refId === 'A')?.model.expr;
      const evaluator = r.data.find((q) => q.refId === r.condition)?.model.conditions?.[0].evaluator;
      const op = evaluator?.type === 'gt' ? '>' : evaluator?.type === 'lt' ? '<' : `?${evaluator?.type}`;
      expect(prom?.expr).toBe(`(${a}) ${op} ${evaluator?.params[0]}`);
      expect(prom?.labels).toEqual(r.labels);
      expect(prom?.annotations.description).toBe(r.annotations.description);
      expect(prom?.annotations.dashboard_url).toBe(r.annotations.dashboard_url);
      expect(prom?.for ?? '0m').toBe(r.for);
    }
  });

  it('name only metrics and labels of the sidecar metric contract', () => {
    const problems = rules.flatMap((r) =>
      r.data.flatMap((q) =>
        q.model.expr ? checkAgainstContract(q.model.expr).map((p) => `${r.title}: ${p}`) : []
      )
    );
    expect(problems).toEqual([]);
  });
});

describe('example notifications', () => {
  const file = readYaml<{
    contactPoints: {
      name: string;
      receivers: { uid: string; type: string; settings: Record<string, string> }[];
    }[];
    policies: {
      receiver: string;
      routes: { receiver: string; object_matchers: [string, string, string][] }[];
    }[];
  }>(PATHS.notifications);

  it('route every rule to the example contact point', () => {
    const receivers = new Set([...file.contactPoints.map((c) => c.name), 'grafana-default-email']);
    const uids = file.contactPoints.flatMap((c) => c.receivers.map((r) => r.uid));
    expect(new Set(uids).size).toBe(uids.length);
    for (const p of file.policies) {
      expect(receivers).toContain(p.receiver);
      for (const route of p.routes) expect(receivers).toContain(route.receiver);
    }
    const route = file.policies[0].routes.find((x) => x.receiver === 'ollama-lens');
    for (const r of rules) {
      for (const [label, op, value] of route?.object_matchers ?? []) {
        expect(op).toBe('=');
        expect(r.labels[label]).toBe(value);
      }
    }
    const email = file.contactPoints[0].receivers[0];
    expect(grafanaInterpolate(email.settings.addresses, { OLLAMA_LENS_ALERT_EMAIL: 'ops@example.org' })).toBe(
      'ops@example.org'
    );
  });
});

describe('query catalogue', () => {
  it('defines every dashboard query and every alert the generated files contain', () => {
    const fromDashboard = dashboardTargets(dashboard).map(
      ({ panel, target }) => `${panel.id}/${target.refId}: ${target.expr}`
    );
    const fromCatalogue = catalogue.PANELS.flatMap((p) =>
      p.queries.map((q) => `${p.id}/${q.refId}: ${q.expr}`)
    );
    expect(fromDashboard.sort()).toEqual(fromCatalogue.sort());
    expect(catalogue.ALERTS.map((a) => a.name).sort()).toEqual([...ISSUE_ALERTS].sort());
  });

  it('prometheusTarget() gives the app the same query objects the dashboard has', () => {
    for (const p of catalogue.PANELS) {
      for (const q of p.queries) {
        const target = dashboardTargets(dashboard).find(
          ({ panel, target: t }) => panel.id === p.id && t.refId === q.refId
        )?.target;
        expect(catalogue.prometheusTarget(q)).toEqual({
          refId: target?.refId,
          expr: target?.expr,
          legendFormat: target?.legendFormat,
          instant: target?.instant,
          range: target?.range,
          exemplar: target?.exemplar ?? false,
          format: target?.format ?? 'time_series',
          editorMode: 'code',
        });
      }
    }
  });

  it('interpolate() substitutes every variable and refuses unknown ones', () => {
    for (const p of catalogue.PANELS)
      for (const q of p.queries) expect(catalogue.interpolate(q.expr)).not.toContain('$');
    expect(() => catalogue.interpolate('rate(x[$nope])')).toThrow('$nope');
  });
});
