import { METRIC_NAMES } from '@ollama-lens/contracts';
import { PROMETHEUS_DATASOURCE_UID } from './ids';
import type { VariableDef, VariableValues } from './types';

/** Dashboard variables, in display order. Panel queries use `$datasource`, `$model`, `$user`, `$window`. */
export const VARIABLES: readonly VariableDef[] = [
  {
    kind: 'datasource',
    name: 'datasource',
    label: 'Prometheus',
    description: 'Prometheus that scrapes the Ollama Lens sidecar (job "ollama-lens").',
    pluginId: 'prometheus',
    defaultUid: PROMETHEUS_DATASOURCE_UID,
  },
  {
    kind: 'query',
    name: 'model',
    label: 'Model',
    description: 'Models seen by the proxy.',
    query: `label_values(${METRIC_NAMES.requests}, model)`,
    multi: true,
    includeAll: true,
    allValue: '.*',
  },
  {
    kind: 'query',
    name: 'user',
    label: 'User',
    description:
      'Users (needs OLLAMA_LENS_USER_LABEL=true on the sidecar). Filters the request and error-rate panels; the other metrics carry no user label.',
    query: `label_values(${METRIC_NAMES.requests}, user)`,
    multi: true,
    includeAll: true,
    allValue: '.*',
  },
  {
    kind: 'interval',
    name: 'window',
    label: 'Window',
    description: 'Averaging window of the summary cards (rates over this window).',
    options: ['1m', '5m', '15m', '30m', '1h', '3h', '6h', '12h', '24h'],
    defaultValue: '5m',
  },
];

/**
 * Values that make every query evaluable by Prometheus directly: every variable at its "All"/default value,
 * plus Grafana's built-ins. Used by the stack tests; handy in the Prometheus UI too.
 */
export const EVALUATION_DEFAULTS: Readonly<VariableValues> = {
  datasource: PROMETHEUS_DATASOURCE_UID,
  model: '.*',
  user: '.*',
  window: '5m',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

const VARIABLE_REF = /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g;

/**
 * Replaces `$name` and `${name}` with values (Grafana's syntax; a `:format` suffix is ignored).
 * Throws on a variable without a value, so a typo cannot silently produce a different query.
 */
export function interpolate(expr: string, values: VariableValues = EVALUATION_DEFAULTS): string {
  return expr.replace(VARIABLE_REF, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const value = values[name];
    if (value === undefined) {
      throw new Error(`no value for variable $${name} in: ${expr}`);
    }
    return value;
  });
}

/** Names of the variables an expression refers to. */
export function variablesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(VARIABLE_REF)) {
    names.add((m[1] ?? m[2]) as string);
  }
  return [...names];
}
