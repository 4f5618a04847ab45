import type { PanelQuery } from './types';

/** The Prometheus query object Grafana panels and Scenes' SceneQueryRunner take (the fields we set). */
export interface PrometheusTarget {
  refId: string;
  expr: string;
  legendFormat: string;
  instant: boolean;
  range: boolean;
  exemplar: boolean;
  format: 'time_series' | 'table' | 'heatmap';
  editorMode: 'code';
}

/** Datasource reference through the dashboard's Prometheus variable (`$datasource`). */
export const PROMETHEUS_VARIABLE_REF = { type: 'prometheus', uid: '${datasource}' } as const;

/** A catalogue query as a Prometheus panel query, e.g. for `new SceneQueryRunner({ queries: p.queries.map(prometheusTarget) })`. */
export function prometheusTarget(q: PanelQuery): PrometheusTarget {
  return {
    refId: q.refId,
    expr: q.expr,
    legendFormat: q.legend,
    instant: q.instant === true,
    range: q.instant !== true,
    exemplar: q.exemplar === true,
    format: q.format ?? 'time_series',
    editorMode: 'code',
  };
}
