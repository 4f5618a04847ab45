/** The same alerts as Prometheus alerting rules (rule_files format), for users who alert with Alertmanager. */
import {
  ALERT_GROUP,
  ALERTS,
  alertAnnotations,
  alertLabels,
  prometheusExpr,
  type AlertDef,
} from '../../plugin/src/queries';

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

function rule(a: AlertDef): PrometheusRule {
  // `for: 0m` is the default; leaving it out keeps the file idiomatic. Key order is the conventional one.
  const hold = /^0[smhd]?$/.test(a.for) ? {} : { for: a.for };
  return {
    alert: a.name,
    expr: prometheusExpr(a),
    ...hold,
    labels: alertLabels(a),
    annotations: { ...alertAnnotations(a, '$value') },
  };
}

export function buildPrometheusRules(): PrometheusRulesFile {
  return { groups: [{ name: ALERT_GROUP, rules: ALERTS.map(rule) }] };
}
