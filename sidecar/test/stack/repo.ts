/**
 * Stack-test helpers: paths of the repository's provisioning files, readers for them, and the shapes of the
 * generated files as far as the tests look into them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { MESSAGES_DATASOURCE_TYPE } from '@ollama-lens/contracts';

export const REPO = resolve(__dirname, '../../..');
export const repoPath = (...parts: string[]): string => join(REPO, ...parts);

export const PATHS = {
  dashboard: 'provisioning/dashboards/ollama-overview.json',
  appDashboard: 'plugin/src/dashboards/overview.json',
  dashboardProvider: 'provisioning/dashboards/dashboards.yaml',
  datasources: 'provisioning/datasources/datasources.yaml',
  app: 'provisioning/plugins/app.yaml',
  grafanaRules: 'provisioning/alerting/ollama-lens-rules.yaml',
  notifications: 'provisioning/alerting/ollama-lens-notifications.yaml',
  prometheusConfig: 'prometheus/prometheus.yml',
  prometheusRules: 'prometheus/rules/ollama-lens.rules.yml',
  prometheusRuleTests: 'prometheus/rules/ollama-lens.rules.test.yml',
  compose: 'docker-compose.yaml',
  envExample: '.env.example',
  dockerfile: 'sidecar/Dockerfile',
  pluginJson: 'plugin/src/plugin.json',
} as const;

export function readText(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}
export function readJson<T>(path: string): T {
  return JSON.parse(readText(path)) as T;
}
export function readYaml<T>(path: string): T {
  return parse(readText(path)) as T;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (no shell); never throws on a non-zero exit, the test asserts on it. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}
): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ── Shapes of the generated and hand-written files (only what the tests read) ───────────────────────────────

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface DashboardTarget {
  refId: string;
  /** PromQL (absent on the messages data source's queries: `queryType` says what they ask). */
  expr: string;
  queryType?: string;
  datasource?: DatasourceRef;
  instant?: boolean;
  range?: boolean;
  format?: string;
  exemplar?: boolean;
  legendFormat?: string;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: DatasourceRef;
  targets?: DashboardTarget[];
  options?: Record<string, unknown>;
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: unknown;
  datasource?: DatasourceRef;
  current?: { value?: string | string[] };
  allValue?: string;
  includeAll?: boolean;
  multi?: boolean;
}

export interface Dashboard {
  id: number | null;
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
  annotations: {
    list: { name: string; enable: boolean; datasource?: DatasourceRef; target?: Record<string, unknown> }[];
  };
}

export interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
  url?: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

export interface GrafanaRuleQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: {
    refId: string;
    expr?: string;
    type?: string;
    expression?: string;
    conditions?: { evaluator: { type: string; params: number[] } }[];
  };
}

export interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  data: GrafanaRuleQuery[];
  dashboardUid: string;
  panelId: number;
  noDataState: string;
  execErrState: string;
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
}

export interface GrafanaRulesFile {
  apiVersion: number;
  groups: { orgId: number; name: string; folder: string; interval: string; rules: GrafanaRule[] }[];
}

export interface PrometheusRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRulesFile {
  groups: { name: string; rules: PrometheusRule[] }[];
}

/** Panels that read the sidecar through the messages data source (the status line), not Prometheus. */
export function isMessagesPanel(panel: DashboardPanel): boolean {
  return panel.datasource?.type === MESSAGES_DATASOURCE_TYPE;
}

/** Every PromQL query of the dashboard, with its panel. */
export function dashboardTargets(d: Dashboard): { panel: DashboardPanel; target: DashboardTarget }[] {
  return d.panels
    .filter((panel) => !isMessagesPanel(panel))
    .flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
}

/**
 * Grafana's provisioning interpolation (Go's os.ExpandEnv after splitting on `$$`): `$$` is a literal `$`,
 * `$VAR` and `${anything}` are replaced from the environment (unset → empty).
 */
export function grafanaInterpolate(value: string, env: Record<string, string>): string {
  return value
    .split('$$')
    .map((part) =>
      part.replace(
        /\$\{([^}]*)\}|\$(\w+)/g,
        (_m, braced: string | undefined, bare: string | undefined) => env[(braced ?? bare) as string] ?? ''
      )
    )
    .join('$');
}
