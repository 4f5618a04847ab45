import { createDataFrame, FieldType, type DataFrame, type DataLink, type FieldConfig } from '@grafana/data';
import type { Aggregations, BreakdownDimension, MessageSummary, Summary } from '@ollama-lens/contracts';
import { MESSAGE_URL_TEMPLATE } from '../constants';
import { SERIES, type SeriesName } from './types';

/**
 * API answers → Grafana data frames. Pure functions: the data source calls them after a request, the
 * Explorer reuses them for its timeline, and the unit tests pin their shape.
 */

const OPEN_MESSAGE_LINK: DataLink = { title: 'Open message', url: MESSAGE_URL_TEMPLATE };

const MS: FieldConfig = { unit: 'ms' };
const USD: FieldConfig = { unit: 'currencyUSD', decimals: 4 };

export function messagesFrame(refId: string, messages: MessageSummary[], nextCursor: string | null): DataFrame {
  return createDataFrame({
    refId,
    name: 'messages',
    meta: { preferredVisualisationType: 'table', custom: { nextCursor } },
    fields: [
      { name: 'time', type: FieldType.time, values: messages.map((m) => m.started_at) },
      { name: 'id', type: FieldType.string, values: messages.map((m) => m.id), config: { links: [OPEN_MESSAGE_LINK] } },
      { name: 'model', type: FieldType.string, values: messages.map((m) => m.model) },
      { name: 'user', type: FieldType.string, values: messages.map((m) => m.user) },
      { name: 'session', type: FieldType.string, values: messages.map((m) => m.session) },
      { name: 'category', type: FieldType.string, values: messages.map((m) => m.category) },
      { name: 'endpoint', type: FieldType.string, values: messages.map((m) => m.endpoint) },
      { name: 'prompt', type: FieldType.string, values: messages.map((m) => m.prompt_preview) },
      { name: 'input_tokens', type: FieldType.number, values: messages.map((m) => m.input_tokens) },
      { name: 'output_tokens', type: FieldType.number, values: messages.map((m) => m.output_tokens) },
      { name: 'duration_ms', type: FieldType.number, values: messages.map((m) => m.duration_ms), config: MS },
      { name: 'ttft_ms', type: FieldType.number, values: messages.map((m) => m.ttft_ms), config: MS },
      { name: 'cost', type: FieldType.number, values: messages.map((m) => m.cost), config: USD },
      { name: 'status', type: FieldType.string, values: messages.map((m) => m.status) },
      { name: 'error_type', type: FieldType.string, values: messages.map((m) => m.error_type) },
    ],
  });
}

const SERIES_CONFIG: Record<SeriesName, FieldConfig> = {
  requests: { displayName: 'Requests', unit: 'short' },
  errors: { displayName: 'Errors', unit: 'short' },
  input_tokens: { displayName: 'Input tokens', unit: 'short' },
  output_tokens: { displayName: 'Output tokens', unit: 'short' },
  latency_p50_ms: { displayName: 'Latency p50', unit: 'ms' },
  latency_p95_ms: { displayName: 'Latency p95', unit: 'ms' },
  latency_p99_ms: { displayName: 'Latency p99', unit: 'ms' },
};

/** One wide time-series frame: a time field and one number field per requested series. */
export function timeseriesFrame(
  refId: string,
  aggregations: Pick<Aggregations, 'timeseries'>,
  series: readonly SeriesName[] = SERIES
): DataFrame {
  const points = aggregations.timeseries;
  const wanted = series.length > 0 ? series : SERIES;
  return createDataFrame({
    refId,
    name: 'timeseries',
    fields: [
      { name: 'time', type: FieldType.time, values: points.map((p) => p.t) },
      ...wanted.map((name) => ({
        name,
        type: FieldType.number,
        values: points.map((p) => p[name]),
        config: SERIES_CONFIG[name],
      })),
    ],
  });
}

export function breakdownFrame(
  refId: string,
  aggregations: Pick<Aggregations, 'breakdowns'>,
  dimension: BreakdownDimension
): DataFrame {
  const buckets = aggregations.breakdowns[dimension] ?? [];
  return createDataFrame({
    refId,
    name: `by ${dimension}`,
    meta: { preferredVisualisationType: 'table' },
    fields: [
      { name: dimension, type: FieldType.string, values: buckets.map((b) => b.key) },
      { name: 'messages', type: FieldType.number, values: buckets.map((b) => b.messages) },
      { name: 'errors', type: FieldType.number, values: buckets.map((b) => b.errors) },
      { name: 'input_tokens', type: FieldType.number, values: buckets.map((b) => b.input_tokens) },
      { name: 'output_tokens', type: FieldType.number, values: buckets.map((b) => b.output_tokens) },
      { name: 'avg_latency_ms', type: FieldType.number, values: buckets.map((b) => b.avg_latency_ms), config: MS },
      { name: 'cost', type: FieldType.number, values: buckets.map((b) => b.cost), config: USD },
    ],
  });
}

export function scatterFrame(refId: string, aggregations: Pick<Aggregations, 'scatter'>): DataFrame {
  const points = aggregations.scatter;
  return createDataFrame({
    refId,
    name: 'scatter',
    fields: [
      { name: 'input_tokens', type: FieldType.number, values: points.map((p) => p.input_tokens) },
      { name: 'output_tokens', type: FieldType.number, values: points.map((p) => p.output_tokens) },
      { name: 'duration_ms', type: FieldType.number, values: points.map((p) => p.duration_ms), config: MS },
      { name: 'cost', type: FieldType.number, values: points.map((p) => p.cost), config: USD },
      { name: 'model', type: FieldType.string, values: points.map((p) => p.model) },
      { name: 'id', type: FieldType.string, values: points.map((p) => p.id), config: { links: [OPEN_MESSAGE_LINK] } },
    ],
  });
}

export function latencyHistogramFrame(refId: string, aggregations: Pick<Aggregations, 'latency_histogram'>): DataFrame {
  const bins = aggregations.latency_histogram;
  return createDataFrame({
    refId,
    name: 'latency histogram',
    fields: [
      {
        name: 'le_ms',
        type: FieldType.string,
        values: bins.map((b) => (b.le_ms === null ? '+Inf' : `≤ ${b.le_ms} ms`)),
      },
      { name: 'count', type: FieldType.number, values: bins.map((b) => b.count) },
    ],
  });
}

/** One row: the window's numbers, the previous window's, and the relative change of each. */
export function summaryFrame(refId: string, summary: Summary): DataFrame {
  const keys = [
    'messages',
    'unique_users',
    'avg_input_tokens',
    'avg_output_tokens',
    'total_cost',
    'error_rate',
  ] as const;
  const unit: Record<(typeof keys)[number], FieldConfig> = {
    messages: { unit: 'short' },
    unique_users: { unit: 'short' },
    avg_input_tokens: { unit: 'short', decimals: 0 },
    avg_output_tokens: { unit: 'short', decimals: 0 },
    total_cost: USD,
    error_rate: { unit: 'percentunit' },
  };
  return createDataFrame({
    refId,
    name: 'summary',
    fields: [
      ...keys.map((k) => ({ name: k, type: FieldType.number, values: [summary[k]], config: unit[k] })),
      ...keys.map((k) => ({
        name: `previous_${k}`,
        type: FieldType.number,
        values: [summary.previous[k]],
        config: unit[k],
      })),
      ...keys.map((k) => ({
        name: `change_${k}`,
        type: FieldType.number,
        values: [summary.change[k]],
        config: { unit: 'percentunit' },
      })),
    ],
  });
}
