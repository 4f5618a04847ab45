/**
 * Grafana-managed alert rules in Grafana's file-provisioning format (apiVersion 1; field names of
 * pkg/services/provisioning/alerting in Grafana). The SDK's alerting types describe the HTTP API instead
 * (folderUID, ruleGroup), so the file format is typed here.
 *
 * Each rule is three steps: A = the value query on Prometheus (instant), B = reduce to the last value,
 * C = threshold on B (the condition). Summaries print `$values.B.Value`.
 */
import {
  ALERT_FOLDER,
  ALERT_GROUP,
  ALERT_LABEL,
  ALERTS,
  OVERVIEW_DASHBOARD_UID,
  PROMETHEUS_DATASOURCE_UID,
  alertAnnotations,
  alertLabels,
  type AlertDef,
} from '../../plugin/src/queries';

const EXPR_DATASOURCE = { type: '__expr__', uid: '__expr__' } as const;

export interface PrometheusQueryModel {
  refId: string;
  datasource: { type: 'prometheus'; uid: string };
  expr: string;
  instant: true;
  range: false;
  editorMode: 'code';
  legendFormat: string;
  intervalMs: number;
  maxDataPoints: number;
}

export interface ReduceModel {
  refId: string;
  datasource: typeof EXPR_DATASOURCE;
  type: 'reduce';
  expression: string;
  reducer: 'last';
  settings: { mode: 'dropNN' };
}

export interface ThresholdModel {
  refId: string;
  datasource: typeof EXPR_DATASOURCE;
  type: 'threshold';
  expression: string;
  conditions: { evaluator: { type: 'gt' | 'lt'; params: [number] } }[];
}

export interface RuleQueryV1 {
  refId: string;
  relativeTimeRange?: { from: number; to: number };
  datasourceUid: string;
  model: PrometheusQueryModel | ReduceModel | ThresholdModel;
}

export interface AlertRuleV1 {
  uid: string;
  title: string;
  condition: string;
  data: RuleQueryV1[];
  dashboardUid: string;
  panelId: number;
  noDataState: 'OK' | 'Alerting' | 'NoData' | 'KeepLast';
  execErrState: 'OK' | 'Alerting' | 'Error' | 'KeepLast';
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
}

export interface RulesFileV1 {
  apiVersion: 1;
  groups: { orgId: number; name: string; folder: string; interval: string; rules: AlertRuleV1[] }[];
}

export interface NotificationsFileV1 {
  apiVersion: 1;
  contactPoints: {
    orgId: number;
    name: string;
    receivers: {
      uid: string;
      type: string;
      settings: Record<string, unknown>;
      disableResolveMessage: boolean;
    }[];
  }[];
  policies: {
    orgId: number;
    receiver: string;
    group_by: string[];
    routes: {
      receiver: string;
      object_matchers: [string, '=' | '=~', string][];
      group_by: string[];
      group_wait: string;
      group_interval: string;
      repeat_interval: string;
    }[];
  }[];
}

/** A query lookback long enough for the widest range selector in our expressions (5m). */
const LOOKBACK_SECONDS = 600;

function grafanaRule(a: AlertDef): AlertRuleV1 {
  return {
    uid: a.uid,
    title: a.name,
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: LOOKBACK_SECONDS, to: 0 },
        datasourceUid: PROMETHEUS_DATASOURCE_UID,
        model: {
          refId: 'A',
          datasource: { type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID },
          expr: a.valueExpr,
          instant: true,
          range: false,
          editorMode: 'code',
          legendFormat: '',
          intervalMs: 1000,
          maxDataPoints: 43200,
        },
      },
      {
        refId: 'B',
        datasourceUid: EXPR_DATASOURCE.uid,
        model: {
          refId: 'B',
          datasource: EXPR_DATASOURCE,
          type: 'reduce',
          expression: 'A',
          reducer: 'last',
          settings: { mode: 'dropNN' },
        },
      },
      {
        refId: 'C',
        datasourceUid: EXPR_DATASOURCE.uid,
        model: {
          refId: 'C',
          datasource: EXPR_DATASOURCE,
          type: 'threshold',
          expression: 'B',
          conditions: [{ evaluator: { type: a.comparison === '>' ? 'gt' : 'lt', params: [a.threshold] } }],
        },
      },
    ],
    dashboardUid: OVERVIEW_DASHBOARD_UID,
    panelId: a.panelId,
    noDataState: a.noData,
    // A failing query is a monitoring problem, not an Ollama problem: show it as Error rather than firing.
    execErrState: 'Error',
    for: a.for,
    annotations: { ...alertAnnotations(a, '$values.B.Value') },
    labels: alertLabels(a),
    isPaused: false,
  };
}

export function buildGrafanaRules(): RulesFileV1 {
  return {
    apiVersion: 1,
    groups: [
      { orgId: 1, name: ALERT_GROUP, folder: ALERT_FOLDER, interval: '1m', rules: ALERTS.map(grafanaRule) },
    ],
  };
}

export const CONTACT_POINT = 'ollama-lens';
/** Grafana's built-in contact point, kept as the root receiver so other alerts route as before. */
export const DEFAULT_CONTACT_POINT = 'grafana-default-email';

/**
 * Example notification setup: an email contact point (address from $OLLAMA_LENS_ALERT_EMAIL, which Grafana
 * expands when it reads the file) and a policy that routes our rules to it. Note that provisioning a policy
 * replaces the organisation's whole notification policy tree, so this is a separate file to leave out when
 * adding Ollama Lens to a Grafana that already has policies.
 */
export function buildNotifications(): NotificationsFileV1 {
  return {
    apiVersion: 1,
    contactPoints: [
      {
        orgId: 1,
        name: CONTACT_POINT,
        receivers: [
          {
            uid: 'ollamalens-email',
            type: 'email',
            settings: { addresses: '$OLLAMA_LENS_ALERT_EMAIL', singleEmail: true },
            disableResolveMessage: false,
          },
        ],
      },
    ],
    policies: [
      {
        orgId: 1,
        receiver: DEFAULT_CONTACT_POINT,
        group_by: ['grafana_folder', 'alertname'],
        routes: [
          {
            receiver: CONTACT_POINT,
            object_matchers: [[ALERT_LABEL.name, '=', ALERT_LABEL.value]],
            group_by: ['alertname', 'severity'],
            group_wait: '30s',
            group_interval: '5m',
            repeat_interval: '4h',
          },
        ],
      },
    ],
  };
}
