/**
 * Grafana's Prometheus data source lives in Grafana's own bundle. This stand-in does what the Overview
 * needs from it, against the real Prometheus through the data source proxy: range and instant queries
 * with Grafana's macros and legend formats, and `label_values(...)` for query variables.
 */
import {
  DataSourceApi,
  FieldType,
  createDataFrame,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv } from '@grafana/runtime';
import type { DataQuery } from '@grafana/schema';
import { lastValueFrom } from 'rxjs';

export interface PromQuery extends DataQuery {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
}

interface PromSeries {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

/** The scrape interval of the suite's Prometheus. */
const SCRAPE_SECONDS = 1;

function legend(format: string | undefined, metric: Record<string, string>): string | undefined {
  if (!format || format === '__auto') {
    return undefined;
  }
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, label: string) => metric[label] ?? '');
}

function num(v: string): number {
  return v === 'NaN' ? NaN : v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
}

export class PrometheusStandIn extends DataSourceApi<PromQuery> {
  constructor(private readonly settings: DataSourceInstanceSettings) {
    super(settings);
  }

  private async api<T>(path: string, params: Record<string, string>): Promise<T> {
    const res = await lastValueFrom(
      getBackendSrv().fetch<{ status: string; data: T; error?: string }>({
        url: `${this.settings.url}/api/v1/${path}`,
        params,
        showErrorAlert: false,
      })
    );
    return res.data.data;
  }

  private interpolate(expr: string, request: DataQueryRequest<PromQuery>, scopedVars: ScopedVars): string {
    const rangeSeconds = Math.max(1, Math.round((request.range.to.valueOf() - request.range.from.valueOf()) / 1000));
    const stepSeconds = Math.max(1, Math.ceil((request.intervalMs ?? 15000) / 1000));
    const rateInterval = Math.max(stepSeconds + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS);
    const withMacros = expr
      .replace(/\$__rate_interval|\$\{__rate_interval\}/g, `${rateInterval}s`)
      .replace(/\$__range_s|\$\{__range_s\}/g, String(rangeSeconds))
      .replace(/\$__range|\$\{__range\}/g, `${rangeSeconds}s`)
      .replace(/\$__interval_ms|\$\{__interval_ms\}/g, String(stepSeconds * 1000))
      .replace(/\$__interval|\$\{__interval\}/g, `${stepSeconds}s`);
    return getTemplateSrv().replace(withMacros, scopedVars, 'regex');
  }

  async query(request: DataQueryRequest<PromQuery>): Promise<DataQueryResponse> {
    const end = Math.floor(request.range.to.valueOf() / 1000);
    const start = Math.floor(request.range.from.valueOf() / 1000);
    const step = Math.max(1, Math.ceil((request.intervalMs ?? 15000) / 1000));
    const frames: DataFrame[] = [];
    for (const target of request.targets.filter((t) => !t.hide && t.expr)) {
      const query = this.interpolate(target.expr, request, request.scopedVars);
      const data = target.instant
        ? await this.api<{ result: PromSeries[] }>('query', { query, time: String(end) })
        : await this.api<{ result: PromSeries[] }>('query_range', {
            query,
            start: String(start),
            end: String(end),
            step: String(step),
          });
      for (const series of data.result) {
        const points = series.values ?? (series.value ? [series.value] : []);
        const name = legend(target.legendFormat, series.metric);
        frames.push(
          createDataFrame({
            refId: target.refId,
            name,
            fields: [
              { name: 'Time', type: FieldType.time, values: points.map((p) => p[0] * 1000) },
              {
                name: 'Value',
                type: FieldType.number,
                values: points.map((p) => num(p[1])),
                labels: series.metric,
                config: name ? { displayNameFromDS: name } : {},
              },
            ],
          })
        );
      }
    }
    return { data: frames };
  }

  async metricFindQuery(query: string | { query: string }, options?: { range?: DataQueryRequest['range'] }) {
    const text = typeof query === 'string' ? query : query.query;
    const m = /^\s*label_values\(\s*(?:([^,]+?)\s*,\s*)?(\w+)\s*\)\s*$/.exec(text);
    if (!m) {
      throw new Error(`the Prometheus stand-in supports label_values() only, not: ${text}`);
    }
    const [, metric, label] = m;
    const params: Record<string, string> = {};
    if (metric) {
      params['match[]'] = getTemplateSrv().replace(metric);
    }
    if (options?.range) {
      params.start = String(Math.floor(options.range.from.valueOf() / 1000));
      params.end = String(Math.floor(options.range.to.valueOf() / 1000));
    }
    const values = await this.api<string[]>(`label/${label}/values`, params);
    return values.map((v): MetricFindValue => ({ text: v, value: v }));
  }

  async testDatasource() {
    await this.api('query', { query: '1' });
    return { status: 'success', message: 'Prometheus answers' };
  }
}
