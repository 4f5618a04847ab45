/**
 * Ollama Lens query catalogue — the one place where every Overview panel query and every alert rule is defined.
 *
 * Pure TypeScript data and small pure functions: no Grafana, React or Node imports, so both the app (Scenes
 * Overview page) and the provisioning generator (`npx tsx scripts/generate-provisioning.ts`) can import it.
 * Everything under provisioning/dashboards, provisioning/alerting, plugin/src/dashboards and
 * prometheus/rules/ollama-lens.rules.yml is generated from here; edit this module, then re-run the generator
 * (`--check` fails in CI when a generated file is stale).
 *
 * API
 * - `PANELS: PanelDef[]` — the Overview panels in layout order. A discriminated union on `type`
 *   (`stat` | `timeseries` | `heatmap` | `piechart` | `table` | `alertlist`) with `id` (stable; alert links use it),
 *   `key`, `title`, `description`, `section`, `gridPos` (24-column grid, absolute y), `unit` (Grafana unit id),
 *   `decimals`/`min`/`max`/`thresholds`, and `queries: PanelQuery[]`:
 *   `{refId, expr (PromQL with $model/$user/$window/$__rate_interval/$__range), legend, instant?, format?,
 *   exemplar?, expect}`. Type-specific fields: stat `percentChange` (`standard` | `inverted` arrow colours) and
 *   `valueMappings`; timeseries `stack`, `fillOpacity`, `overrides` (per-refId unit/axis/dashed); table `joinBy`,
 *   `joinTitle`, `columns` (refId → title/unit); alertlist `labelFilter`.
 * - `SECTIONS: SectionDef[]` — dashboard rows `{key, id, title, y}`; summary cards have section `summary` and no row.
 * - `VARIABLES: VariableDef[]` — `datasource` (Prometheus, default uid `ollamalens-prometheus`), `model` and
 *   `user` (multi, All = `.*`), `window` (averaging window of the summary cards).
 * - `ALERTS: AlertDef[]` — `{name, uid, valueExpr, comparison, threshold, for, severity, summary (with %value%),
 *   description, valueFormat, panelId, noData, expect}`; `prometheusExpr(alert)` gives `(valueExpr) > threshold`,
 *   `alertAnnotations(alert, valueRef)` and `alertLabels(alert)` the rendered annotations and labels.
 * - `interpolate(expr, values?)` substitutes dashboard variables (default `EVALUATION_DEFAULTS`: every filter at
 *   "All", windows of 1m/5m/1h) so an expression can be sent to Prometheus as is; `variablesIn(expr)` lists them.
 * - `panelById`, `panelByKey`, `alertByName` look things up (throwing on unknown names).
 * - Ids: `APP_ID`, `PROMETHEUS_DATASOURCE_UID`, `MESSAGES_DATASOURCE_UID`, `MESSAGES_DATASOURCE_TYPE`,
 *   `OVERVIEW_DASHBOARD_UID`, `SCRAPE_JOB`, `EXEMPLAR_LABEL` (`request_id`), `EXEMPLAR_LINK_TEMPLATE`
 *   (`/a/ollamalens-explorer-app/explorer/message/${__value.raw}`), `explorerMessagePath(id)`,
 *   `overviewPanelPath(panelId)`.
 * - `prometheusTarget(query)` turns a catalogue query into Grafana's Prometheus query object
 *   (`{refId, expr, legendFormat, instant, range, exemplar, format, editorMode}`); `PROMETHEUS_VARIABLE_REF` is
 *   the datasource reference through `$datasource`.
 *
 * Example (Scenes):
 *   const p = panelByKey('timeToFirstToken');
 *   new SceneQueryRunner({ datasource: PROMETHEUS_VARIABLE_REF, queries: p.queries.map(prometheusTarget) });
 */
export * from './types';
export * from './ids';
export { INFERENCE_ENDPOINTS, FAILURE_STATUSES } from './promql';
export { VARIABLES, EVALUATION_DEFAULTS, interpolate, variablesIn } from './variables';
export { SECTIONS, PANELS, panelById, panelByKey } from './panels';
export { prometheusTarget, PROMETHEUS_VARIABLE_REF } from './targets';
export type { PrometheusTarget } from './targets';
export { ALERTS, alertByName, prometheusExpr, alertAnnotations, alertLabels, formatValue } from './alerts';
export type { AlertAnnotations } from './alerts';
export { EVENT_GROUP_COLORS, EVENT_LAYERS, STATUS_PANEL, MESSAGES_DATASOURCE_REF, eventLayerTarget } from './events';
export type { EventLayerDef } from './events';
