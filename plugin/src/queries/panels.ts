/**
 * The Overview dashboard: every panel with its queries, units and place on the grid (layout of
 * seeds/000-dashboard-designs.md). Panel ids are part of the public surface (alert links), never renumber.
 */
import { METRIC_NAMES } from '@ollama-lens/contracts';
import { ALERT_LABEL, EXPLORER_MODEL_LINK, SCRAPE_JOB } from './ids';
import {
  FAILED,
  INFERENCE,
  MODEL,
  USER,
  failureRatio,
  generationSpeed,
  mean,
  quantile,
  sumIncrease,
  sumRate,
} from './promql';
import type { PanelDef, SectionDef } from './types';

const RATE = '$__rate_interval';
const WINDOW = '$window';
/** What a ratio card shows for a window without requests (instead of Grafana's "NaN"). */
export const NO_TRAFFIC = 'no traffic';
const RANGE = '$__range';
/** Grafana's custom-suffix unit for token speeds. */
const TOKENS_PER_SECOND = 'suffix: tok/s';

/** Rows, top to bottom. The summary cards (y 0–3) sit above the first row. */
export const SECTIONS: readonly SectionDef[] = [
  { key: 'performance', id: 100, title: 'Performance', y: 4 },
  { key: 'resources', id: 101, title: 'Resources', y: 29 },
  { key: 'comparison', id: 102, title: 'Model comparison', y: 46 },
  { key: 'health', id: 103, title: 'Errors & alerts', y: 55 },
  { key: 'host', id: 104, title: 'Host, GPU & sidecar', y: 64 },
];

const y = (section: SectionDef['key'], offset = 0): number => {
  const s = SECTIONS.find((x) => x.key === section);
  if (!s) {
    throw new Error(`unknown section ${section}`);
  }
  return s.y + 1 + offset;
};

export const PANELS: readonly PanelDef[] = [
  // ── Summary cards ────────────────────────────────────────────────────────────────────────────────
  {
    id: 1,
    key: 'requestsPerMinute',
    type: 'stat',
    title: 'Requests / min',
    description:
      'Requests through the proxy per minute, averaged over the window. The arrow compares now with the start of the time range.',
    section: 'summary',
    gridPos: { x: 0, y: 0, w: 5, h: 4 },
    unit: 'reqpm',
    decimals: 1,
    percentChange: 'standard',
    queries: [
      {
        refId: 'A',
        expr: `${sumRate(METRIC_NAMES.requests, [MODEL, USER], WINDOW)} * 60`,
        legend: 'requests/min',
        expect: 'traffic',
      },
    ],
  },
  {
    id: 2,
    key: 'averageLatency',
    type: 'stat',
    title: 'Avg latency',
    description: 'Mean request duration of inference endpoints (generate, chat, embed, /v1), over the window.',
    section: 'summary',
    gridPos: { x: 5, y: 0, w: 5, h: 4 },
    unit: 's',
    decimals: 2,
    percentChange: 'inverted',
    emptyText: NO_TRAFFIC,
    thresholds: [
      { value: null, color: 'green' },
      { value: 2, color: 'orange' },
      { value: 5, color: 'red' },
    ],
    queries: [
      {
        refId: 'A',
        expr: mean(METRIC_NAMES.requestDuration, [MODEL, INFERENCE], WINDOW),
        legend: 'avg latency',
        expect: 'traffic',
      },
    ],
  },
  {
    id: 3,
    key: 'errorRate',
    type: 'stat',
    title: 'Error rate',
    description:
      'Share of requests that failed (status error or timeout) over the window. Alert HighErrorRate fires above 5%.',
    section: 'summary',
    gridPos: { x: 10, y: 0, w: 5, h: 4 },
    unit: 'percentunit',
    decimals: 2,
    min: 0,
    percentChange: 'inverted',
    emptyText: NO_TRAFFIC,
    thresholds: [
      { value: null, color: 'green' },
      { value: 0.01, color: 'orange' },
      { value: 0.05, color: 'red' },
    ],
    queries: [{ refId: 'A', expr: failureRatio([MODEL, USER], WINDOW), legend: 'error rate', expect: 'traffic' }],
  },
  {
    id: 22,
    key: 'successRate',
    type: 'stat',
    title: 'Success rate',
    description: 'Share of requests that succeeded over the window (1 − error rate).',
    section: 'summary',
    gridPos: { x: 15, y: 0, w: 5, h: 4 },
    unit: 'percentunit',
    decimals: 2,
    min: 0,
    max: 1,
    percentChange: 'standard',
    emptyText: NO_TRAFFIC,
    thresholds: [
      { value: null, color: 'red' },
      { value: 0.95, color: 'orange' },
      { value: 0.99, color: 'green' },
    ],
    queries: [
      { refId: 'A', expr: `1 - (${failureRatio([MODEL, USER], WINDOW)})`, legend: 'success rate', expect: 'traffic' },
    ],
  },
  {
    id: 4,
    key: 'tokenRate',
    type: 'stat',
    title: 'Token rate',
    description: 'Output tokens generated per second across all models, averaged over the window.',
    section: 'summary',
    gridPos: { x: 20, y: 0, w: 4, h: 4 },
    unit: TOKENS_PER_SECOND,
    decimals: 1,
    percentChange: 'standard',
    queries: [
      {
        refId: 'A',
        expr: sumRate(METRIC_NAMES.outputTokens, [MODEL], WINDOW),
        legend: 'tokens/s',
        expect: 'traffic',
      },
    ],
  },

  // ── Performance ──────────────────────────────────────────────────────────────────────────────────
  {
    id: 5,
    key: 'requestRateLatency',
    type: 'timeseries',
    title: 'Request rate & latency',
    description:
      'Requests per second by status (left axis) and p50/p75/p95/p99 latency of inference endpoints (right axis). Exemplar dots open the request in the Explorer.',
    section: 'performance',
    gridPos: { x: 0, y: y('performance'), w: 12, h: 8 },
    unit: 'reqps',
    queries: [
      {
        refId: 'A',
        expr: sumRate(METRIC_NAMES.requests, [MODEL, USER], RATE, ['status']),
        legend: '{{status}}',
        expect: 'traffic',
      },
      {
        refId: 'B',
        expr: quantile(0.5, METRIC_NAMES.requestDuration, [MODEL, INFERENCE], RATE),
        legend: 'p50',
        expect: 'traffic',
      },
      {
        refId: 'E',
        expr: quantile(0.75, METRIC_NAMES.requestDuration, [MODEL, INFERENCE], RATE),
        legend: 'p75',
        expect: 'traffic',
      },
      {
        refId: 'C',
        expr: quantile(0.95, METRIC_NAMES.requestDuration, [MODEL, INFERENCE], RATE),
        legend: 'p95',
        exemplar: true,
        expect: 'traffic',
      },
      {
        refId: 'D',
        expr: quantile(0.99, METRIC_NAMES.requestDuration, [MODEL, INFERENCE], RATE),
        legend: 'p99',
        expect: 'traffic',
      },
    ],
    overrides: [
      { refId: 'B', unit: 's', axis: 'right', axisLabel: 'latency' },
      { refId: 'E', unit: 's', axis: 'right', axisLabel: 'latency' },
      { refId: 'C', unit: 's', axis: 'right', axisLabel: 'latency' },
      { refId: 'D', unit: 's', axis: 'right', axisLabel: 'latency' },
    ],
  },
  {
    id: 23,
    key: 'requestRateByModel',
    type: 'timeseries',
    title: 'Request rate by model',
    description: 'Requests per second through the proxy, by model.',
    section: 'performance',
    gridPos: { x: 0, y: y('performance', 16), w: 24, h: 8 },
    unit: 'reqps',
    min: 0,
    links: [EXPLORER_MODEL_LINK],
    queries: [
      {
        refId: 'A',
        expr: sumRate(METRIC_NAMES.requests, [MODEL, USER, 'model!=""'], RATE, ['model']),
        legend: '{{model}}',
        expect: 'traffic',
      },
    ],
  },
  {
    id: 6,
    key: 'tokensPerSecondByModel',
    type: 'timeseries',
    title: 'Tokens/s by model',
    description:
      'Generation speed: mean output tokens per second of a request (Ollama eval count / eval duration), by model. Alert LowTokenThroughput fires below 10.',
    section: 'performance',
    gridPos: { x: 12, y: y('performance'), w: 12, h: 8 },
    unit: TOKENS_PER_SECOND,
    min: 0,
    links: [EXPLORER_MODEL_LINK],
    queries: [{ refId: 'A', expr: generationSpeed([MODEL], RATE, ['model']), legend: '{{model}}', expect: 'traffic' }],
  },
  {
    id: 7,
    key: 'latencyHeatmap',
    type: 'heatmap',
    title: 'Latency distribution',
    description:
      'Requests per latency bucket over time (inference endpoints). Exemplars open the request in the Explorer.',
    section: 'performance',
    gridPos: { x: 0, y: y('performance', 8), w: 12, h: 8 },
    unit: 's',
    queries: [
      {
        refId: 'A',
        expr: sumIncrease(`${METRIC_NAMES.requestDuration}_bucket`, [MODEL, INFERENCE], RATE, ['le']),
        legend: '{{le}}',
        format: 'heatmap',
        exemplar: true,
        expect: 'traffic',
      },
    ],
  },
  {
    id: 8,
    key: 'timeToFirstToken',
    type: 'timeseries',
    title: 'Time to first token by model',
    description:
      'Median and p95 time from the request to the first generated token, by model. Exemplars open the request in the Explorer.',
    section: 'performance',
    gridPos: { x: 12, y: y('performance', 8), w: 12, h: 8 },
    unit: 's',
    min: 0,
    queries: [
      {
        refId: 'A',
        expr: quantile(0.5, METRIC_NAMES.timeToFirstToken, [MODEL], RATE, ['model']),
        legend: '{{model}} p50',
        exemplar: true,
        expect: 'traffic',
      },
      {
        refId: 'B',
        expr: quantile(0.95, METRIC_NAMES.timeToFirstToken, [MODEL], RATE, ['model']),
        legend: '{{model}} p95',
        expect: 'traffic',
      },
    ],
    overrides: [{ refId: 'B', dashed: true }],
  },

  // ── Resources ────────────────────────────────────────────────────────────────────────────────────
  {
    id: 9,
    key: 'modelMemory',
    type: 'timeseries',
    title: 'Model memory (VRAM vs RAM)',
    description:
      'Memory of each loaded model, stacked, split into GPU memory (vram) and system memory (ram). RAM on a GPU host means the model is partly offloaded to the CPU.',
    section: 'resources',
    gridPos: { x: 0, y: y('resources'), w: 12, h: 8 },
    unit: 'bytes',
    min: 0,
    stack: true,
    fillOpacity: 60,
    queries: [
      {
        refId: 'A',
        expr: `sum by (model, location) (${METRIC_NAMES.modelMemory}{${MODEL}})`,
        legend: '{{model}} {{location}}',
        expect: 'loaded_model',
      },
    ],
  },
  {
    id: 10,
    key: 'activeModelsQueue',
    type: 'timeseries',
    title: 'Active models & queue depth',
    description:
      'Models loaded in Ollama, models that served requests, requests in flight and requests waiting in the queue. Alert QueueBacklog watches the queue.',
    section: 'resources',
    gridPos: { x: 12, y: y('resources'), w: 12, h: 8 },
    unit: 'short',
    min: 0,
    decimals: 0,
    queries: [
      { refId: 'A', expr: `max(${METRIC_NAMES.modelsLoaded})`, legend: 'models loaded', expect: 'scrape' },
      {
        refId: 'B',
        expr: `count(${sumIncrease(METRIC_NAMES.requests, [MODEL, 'model!=""'], RATE, ['model'])} > 0) or vector(0)`,
        legend: 'models serving requests',
        expect: 'scrape',
      },
      {
        refId: 'C',
        expr: `sum(${METRIC_NAMES.inFlight}{${MODEL}}) or vector(0)`,
        legend: 'in flight',
        expect: 'scrape',
      },
      { refId: 'D', expr: `max(${METRIC_NAMES.queueDepth})`, legend: 'queue depth', expect: 'scrape' },
    ],
    overrides: [{ refId: 'D', axis: 'right', axisLabel: 'queued' }],
  },
  {
    id: 11,
    key: 'inputOutputTokens',
    type: 'piechart',
    title: 'Input vs output tokens',
    description: 'Prompt (input) and generated (output) tokens over the time range.',
    section: 'resources',
    gridPos: { x: 0, y: y('resources', 8), w: 8, h: 8 },
    unit: 'short',
    decimals: 0,
    queries: [
      {
        refId: 'A',
        expr: sumIncrease(METRIC_NAMES.inputTokens, [MODEL], RANGE),
        legend: 'input',
        instant: true,
        expect: 'traffic',
      },
      {
        refId: 'B',
        expr: sumIncrease(METRIC_NAMES.outputTokens, [MODEL], RANGE),
        legend: 'output',
        instant: true,
        expect: 'traffic',
      },
    ],
  },
  {
    id: 12,
    key: 'costByModel',
    type: 'timeseries',
    title: 'Cost by model',
    description:
      'Shadow cost in USD per hour, from the price table (OLLAMA_LENS_PRICES, USD per million tokens). Empty without prices.',
    section: 'resources',
    gridPos: { x: 8, y: y('resources', 8), w: 16, h: 8 },
    unit: 'currencyUSD',
    min: 0,
    decimals: 4,
    stack: true,
    fillOpacity: 30,
    links: [EXPLORER_MODEL_LINK],
    queries: [
      {
        refId: 'A',
        expr: `${sumRate(METRIC_NAMES.cost, [MODEL], RATE, ['model'])} * 3600`,
        legend: '{{model}}',
        expect: 'prices',
      },
    ],
  },

  // ── Model comparison ─────────────────────────────────────────────────────────────────────────────
  {
    id: 13,
    key: 'modelComparison',
    type: 'table',
    title: 'Model comparison',
    description:
      'Per model over the time range: requests, mean and p95 latency of inference calls, generation speed, failed requests and cost.',
    section: 'comparison',
    gridPos: { x: 0, y: y('comparison'), w: 24, h: 8 },
    joinBy: 'model',
    joinTitle: 'Model',
    columns: [
      { refId: 'A', title: 'Requests', unit: 'short', decimals: 0 },
      { refId: 'B', title: 'Avg latency', unit: 's', decimals: 2 },
      { refId: 'C', title: 'P95 latency', unit: 's', decimals: 2 },
      { refId: 'D', title: 'Tokens/s', unit: TOKENS_PER_SECOND, decimals: 1 },
      { refId: 'E', title: 'Errors', unit: 'short', decimals: 0 },
      { refId: 'F', title: 'Cost', unit: 'currencyUSD', decimals: 4 },
    ],
    queries: [
      {
        refId: 'A',
        expr: `round(${sumIncrease(METRIC_NAMES.requests, [MODEL, USER, 'model!=""'], RANGE, ['model'])})`,
        legend: 'Requests',
        instant: true,
        format: 'table',
        expect: 'traffic',
      },
      {
        refId: 'B',
        expr: mean(METRIC_NAMES.requestDuration, [MODEL, INFERENCE], RANGE, ['model']),
        legend: 'Avg latency',
        instant: true,
        format: 'table',
        expect: 'traffic',
      },
      {
        refId: 'C',
        expr: quantile(0.95, METRIC_NAMES.requestDuration, [MODEL, INFERENCE], RANGE, ['model']),
        legend: 'P95 latency',
        instant: true,
        format: 'table',
        expect: 'traffic',
      },
      {
        refId: 'D',
        expr: generationSpeed([MODEL], RANGE, ['model']),
        legend: 'Tokens/s',
        instant: true,
        format: 'table',
        expect: 'traffic',
      },
      {
        refId: 'E',
        expr: `round(${sumIncrease(METRIC_NAMES.requests, [MODEL, USER, FAILED, 'model!=""'], RANGE, ['model'])})`,
        legend: 'Errors',
        instant: true,
        format: 'table',
        expect: 'errors',
      },
      {
        refId: 'F',
        expr: sumIncrease(METRIC_NAMES.cost, [MODEL], RANGE, ['model']),
        legend: 'Cost',
        instant: true,
        format: 'table',
        expect: 'prices',
      },
    ],
  },

  // ── Errors & alerts ──────────────────────────────────────────────────────────────────────────────
  {
    id: 14,
    key: 'errorsByType',
    type: 'timeseries',
    title: 'Errors by type',
    description:
      'Failed requests per second by cause (upstream unreachable, model not found, bad request, upstream error, timeout, cancelled, stream error).',
    section: 'health',
    gridPos: { x: 0, y: y('health'), w: 12, h: 8 },
    unit: 'reqps',
    min: 0,
    stack: true,
    fillOpacity: 40,
    queries: [
      {
        refId: 'A',
        expr: sumRate(METRIC_NAMES.errors, [MODEL], RATE, ['error_type']),
        legend: '{{error_type}}',
        expect: 'errors',
      },
    ],
  },
  {
    id: 15,
    key: 'alerts',
    type: 'alertlist',
    title: 'Alerts',
    description: 'Ollama Lens alert rules that are firing or pending.',
    section: 'health',
    gridPos: { x: 12, y: y('health'), w: 12, h: 8 },
    labelFilter: `{${ALERT_LABEL.name}="${ALERT_LABEL.value}"}`,
    queries: [],
  },

  // ── Host, GPU & sidecar ──────────────────────────────────────────────────────────────────────────
  {
    id: 20,
    key: 'serviceStatus',
    type: 'stat',
    title: 'Service status',
    description:
      'Whether Prometheus reaches the sidecar (sidecar) and the sidecar reaches Ollama (ollama). Alert ServiceDown fires when either is down for 1m.',
    section: 'host',
    gridPos: { x: 0, y: y('host'), w: 6, h: 8 },
    valueMappings: [
      { value: 1, text: 'UP', color: 'green' },
      { value: 0, text: 'DOWN', color: 'red' },
    ],
    queries: [
      { refId: 'A', expr: `min(up{job="${SCRAPE_JOB}"})`, legend: 'sidecar', expect: 'scrape' },
      { refId: 'B', expr: `min(${METRIC_NAMES.up})`, legend: 'ollama', expect: 'scrape' },
    ],
  },
  {
    id: 16,
    key: 'utilization',
    type: 'timeseries',
    title: 'GPU & CPU utilization',
    description: 'Utilization of each GPU (nvidia-smi) and of the host CPU.',
    section: 'host',
    gridPos: { x: 6, y: y('host'), w: 9, h: 8 },
    unit: 'percentunit',
    min: 0,
    max: 1,
    queries: [
      {
        refId: 'A',
        expr: `max by (gpu, name) (${METRIC_NAMES.gpuUtilization})`,
        legend: 'GPU {{gpu}} {{name}}',
        expect: 'gpu',
      },
      { refId: 'B', expr: `max(${METRIC_NAMES.hostCpu})`, legend: 'CPU', expect: 'scrape' },
    ],
  },
  {
    id: 17,
    key: 'memory',
    type: 'timeseries',
    title: 'GPU & host memory',
    description: 'Memory used on each GPU and on the host; dashed lines are the totals.',
    section: 'host',
    gridPos: { x: 15, y: y('host'), w: 9, h: 8 },
    unit: 'bytes',
    min: 0,
    queries: [
      {
        refId: 'A',
        expr: `max by (gpu, name) (${METRIC_NAMES.gpuMemoryUsed})`,
        legend: 'GPU {{gpu}} used',
        expect: 'gpu',
      },
      {
        refId: 'B',
        expr: `max by (gpu, name) (${METRIC_NAMES.gpuMemoryTotal})`,
        legend: 'GPU {{gpu}} total',
        expect: 'gpu',
      },
      { refId: 'C', expr: `max(${METRIC_NAMES.hostMemoryUsed})`, legend: 'host used', expect: 'scrape' },
      { refId: 'D', expr: `max(${METRIC_NAMES.hostMemoryTotal})`, legend: 'host total', expect: 'scrape' },
    ],
    overrides: [
      { refId: 'B', dashed: true },
      { refId: 'D', dashed: true },
    ],
  },
  {
    id: 18,
    key: 'gpuPower',
    type: 'timeseries',
    title: 'GPU power',
    description: 'Power draw of each GPU (nvidia-smi). Empty without an NVIDIA GPU.',
    section: 'host',
    gridPos: { x: 0, y: y('host', 8), w: 8, h: 8 },
    unit: 'watt',
    min: 0,
    queries: [
      {
        refId: 'A',
        expr: `max by (gpu, name) (${METRIC_NAMES.gpuPower})`,
        legend: 'GPU {{gpu}} {{name}}',
        expect: 'gpu',
      },
    ],
  },
  {
    id: 19,
    key: 'temperature',
    type: 'timeseries',
    title: 'Temperature',
    description:
      'GPU temperatures (nvidia-smi) and CPU sensors of the host. Alert GPUTemperatureHigh fires above 85 °C.',
    section: 'host',
    gridPos: { x: 8, y: y('host', 8), w: 8, h: 8 },
    unit: 'celsius',
    thresholds: [
      { value: null, color: 'green' },
      { value: 85, color: 'red' },
    ],
    queries: [
      {
        refId: 'A',
        expr: `max by (gpu, name) (${METRIC_NAMES.gpuTemperature})`,
        legend: 'GPU {{gpu}} {{name}}',
        expect: 'gpu',
      },
      {
        refId: 'B',
        expr: `max by (sensor) (${METRIC_NAMES.hostCpuTemperature})`,
        legend: 'CPU {{sensor}}',
        expect: 'cpu_sensors',
      },
    ],
  },
  {
    id: 21,
    key: 'messageStore',
    type: 'timeseries',
    title: 'Message store',
    description:
      'Records written to the message store per second, records dropped by reason (alert MessageStoreDropping) and records waiting to be written.',
    section: 'host',
    gridPos: { x: 16, y: y('host', 8), w: 8, h: 8 },
    unit: 'short',
    min: 0,
    queries: [
      {
        refId: 'A',
        expr: `sum(rate(${METRIC_NAMES.storeWritten}[$__rate_interval]))`,
        legend: 'written/s',
        expect: 'store',
      },
      {
        refId: 'B',
        expr: `sum by (reason) (rate(${METRIC_NAMES.storeDropped}[$__rate_interval]))`,
        legend: 'dropped/s {{reason}}',
        expect: 'store_drops',
      },
      { refId: 'C', expr: `max(${METRIC_NAMES.storeQueueDepth})`, legend: 'queued', expect: 'store' },
    ],
    overrides: [{ refId: 'C', axis: 'right', axisLabel: 'queued' }],
  },
];

export function panelById(id: number): PanelDef {
  const p = PANELS.find((x) => x.id === id);
  if (!p) {
    throw new Error(`no overview panel with id ${id}`);
  }
  return p;
}

export function panelByKey(key: string): PanelDef {
  const p = PANELS.find((x) => x.key === key);
  if (!p) {
    throw new Error(`no overview panel with key ${key}`);
  }
  return p;
}
