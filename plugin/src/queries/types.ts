/**
 * Types of the query catalogue. Plain data only: the generator (scripts/generate-provisioning.ts) and the
 * app's Overview page both read these, so nothing here may depend on Grafana packages or Node.
 */

/** A Grafana unit id as used in `fieldConfig.defaults.unit` (e.g. `s`, `bytes`, `percentunit`, `suffix:tok/s`). */
export type GrafanaUnit = string;

/**
 * When a query is expected to return at least one series. The real-Prometheus test drives traffic and then
 * asserts data for the conditions it can produce; the others (no GPU on CI, no sensors in containers) are
 * only checked for evaluating without error.
 */
import type { DataCondition } from '@ollama-lens/contracts';
export type { DataCondition };

export interface PanelQuery {
  /** Unique within the panel (A, B, …); table columns and overrides refer to it. */
  refId: string;
  /** PromQL with Grafana variables ($model, $user, $window, $__rate_interval, $__range). */
  expr: string;
  /** Legend format (`{{model}} p95`); for table queries, the column title. */
  legend: string;
  /** Evaluate at the end of the range only (tables, pie charts). Default: a range query. */
  instant?: boolean;
  /** Prometheus result format. Default `time_series`. */
  format?: 'time_series' | 'table' | 'heatmap';
  /** Ask Prometheus for exemplars (request ids) alongside the series. */
  exemplar?: boolean;
  /** When this query should return data (see DataCondition). */
  expect: DataCondition;
}

/** Grafana's 24-column grid position; `y` is absolute in the dashboard. */
export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Threshold {
  /** Null for the base step. */
  value: number | null;
  color: string;
}

/**
 * A data link on a panel's series (Grafana interpolates `${__field.labels.x}`, `${__url_time_range}`,
 * … when it is clicked).
 */
export interface PanelLink {
  title: string;
  url: string;
}

/** Per-query field overrides, e.g. latency on the right axis of a dual-axis chart. */
export interface QueryOverride {
  refId: string;
  unit?: GrafanaUnit;
  axis?: 'left' | 'right';
  axisLabel?: string;
  decimals?: number;
  /** Draw this query as dashed line (secondary series such as capacities). */
  dashed?: boolean;
}

export type SectionKey = 'summary' | 'performance' | 'resources' | 'comparison' | 'health' | 'host';

/** A dashboard row. The summary cards sit above the first row and have no row of their own. */
export interface SectionDef {
  key: SectionKey;
  /** Panel id of the row (rows are panels in the dashboard JSON). */
  id: number;
  title: string;
  /** Absolute y of the row header; its panels start at y + 1. */
  y: number;
}

interface PanelBase {
  /** Stable numeric id: alert links (`viewPanel=<id>`) depend on it, never renumber. */
  id: number;
  /** Stable string key for code (`requestsPerMinute`). */
  key: string;
  title: string;
  description: string;
  section: SectionKey;
  gridPos: GridPos;
  unit?: GrafanaUnit;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: Threshold[];
  queries: PanelQuery[];
  /** Data links on the panel's series (e.g. into the Explorer, filtered to the series' model). */
  links?: PanelLink[];
}

/** A big-number card; the change arrow compares the last value with the first of the time range. */
export interface StatPanelDef extends PanelBase {
  type: 'stat';
  /** Change arrow: `standard` = up is good (green), `inverted` = up is bad (latency, errors); absent = none. */
  percentChange?: 'standard' | 'inverted';
  /** Value → text mappings (e.g. 1 → UP). */
  valueMappings?: Array<{ value: number; text: string; color: string }>;
  /**
   * Shown instead of the value when the window had no traffic: a ratio of two rates is 0/0 = NaN then,
   * and a query over series that do not exist yet returns nothing.
   */
  emptyText?: string;
}

export interface TimeSeriesPanelDef extends PanelBase {
  type: 'timeseries';
  stack?: boolean;
  /** 0–100; default 10. */
  fillOpacity?: number;
  overrides?: QueryOverride[];
}

/** A heatmap of a Prometheus histogram (buckets as rows, no client-side bucketing). */
export interface HeatmapPanelDef extends PanelBase {
  type: 'heatmap';
}

export interface PieChartPanelDef extends PanelBase {
  type: 'piechart';
}

export interface TableColumn {
  /** Query whose value fills the column. */
  refId: string;
  title: string;
  unit?: GrafanaUnit;
  decimals?: number;
}

/** One row per value of `joinBy`, one column per instant query. */
export interface TablePanelDef extends PanelBase {
  type: 'table';
  joinBy: string;
  joinTitle: string;
  columns: TableColumn[];
}

/** Grafana's alert list; it needs no query. */
export interface AlertListPanelDef extends PanelBase {
  type: 'alertlist';
  /** Label matcher that selects our rules, e.g. `{service="ollama-lens"}`. */
  labelFilter: string;
}

export type PanelDef =
  StatPanelDef | TimeSeriesPanelDef | HeatmapPanelDef | PieChartPanelDef | TablePanelDef | AlertListPanelDef;

export type PanelType = PanelDef['type'];

export interface DatasourceVariableDef {
  kind: 'datasource';
  name: string;
  label: string;
  description: string;
  /** Datasource plugin type offered (`prometheus`). */
  pluginId: string;
  /** Uid selected by default. */
  defaultUid: string;
}

export interface QueryVariableDef {
  kind: 'query';
  name: string;
  label: string;
  description: string;
  /** Prometheus variable query (`label_values(metric, label)`). */
  query: string;
  multi: boolean;
  includeAll: boolean;
  /** Regex used for "All"; `.*` also matches series without the label. */
  allValue: string;
}

export interface IntervalVariableDef {
  kind: 'interval';
  name: string;
  label: string;
  description: string;
  options: string[];
  defaultValue: string;
}

export type VariableDef = DatasourceVariableDef | QueryVariableDef | IntervalVariableDef;

export type Severity = 'critical' | 'warning';

/** How the alert value is printed in summaries. */
export type ValueFormat = 'percent' | 'seconds' | 'tokens_per_second' | 'celsius' | 'bytes' | 'count';

export interface AlertDef {
  /** Alert name (Prometheus `alert:`, Grafana title). */
  name: string;
  /** Grafana rule uid: stable, ≤ 40 characters of [a-zA-Z0-9_-]. */
  uid: string;
  /**
   * PromQL whose value is compared with the threshold. No dashboard variables. Each resulting series is
   * one alert instance; an empty result means "nothing to alert on" (see `noData`).
   */
  valueExpr: string;
  comparison: '>' | '<';
  threshold: number;
  /** How long the condition must hold (Prometheus duration). */
  for: string;
  severity: Severity;
  /** One line; `%value%` is replaced by the formatted value; `{{ $labels.x }}` works in both systems. */
  summary: string;
  description: string;
  valueFormat: ValueFormat;
  /** Overview panel that shows the alerted quantity (`/d/<uid>?viewPanel=<panelId>`). */
  panelId: number;
  /** Grafana state when the value query returns nothing. */
  noData: 'OK' | 'Alerting' | 'NoData';
  /** When the value expression returns series (independent of firing). */
  expect: DataCondition;
}

/** Values for the dashboard variables when a query is evaluated outside Grafana. */
export type VariableValues = Record<string, string>;
