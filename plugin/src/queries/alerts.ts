/**
 * Alert rules, defined once and rendered twice: as Grafana-managed rules (provisioning/alerting) and as
 * Prometheus rules (prometheus/rules). Each rule is "value expression, comparison, threshold" so Grafana can
 * show the value and Prometheus gets `(value) > threshold`.
 */
import { METRIC_NAMES } from '@ollama-lens/contracts';
import { ALERT_LABEL, SCRAPE_JOB, overviewPanelPath } from './ids';
import { INFERENCE, failureRatio, generationSpeed, quantile } from './promql';
import type { AlertDef, ValueFormat } from './types';

export const ALERTS: readonly AlertDef[] = [
  {
    name: 'HighErrorRate',
    uid: 'ollamalens-high-error-rate',
    valueExpr: failureRatio([], '5m'),
    comparison: '>',
    threshold: 0.05,
    for: '5m',
    severity: 'critical',
    summary: 'Ollama error rate is %value% (above 5%)',
    description:
      'More than 5% of the requests through the Ollama Lens proxy failed (status error or timeout) over the last 5 minutes, for 5 minutes. ' +
      'Errors by type shows the cause (Ollama unreachable, model not found, bad request, timeout); the Explorer lists the failed messages.',
    valueFormat: 'percent',
    panelId: 14,
    noData: 'OK',
    expect: 'traffic',
  },
  {
    name: 'HighLatency',
    uid: 'ollamalens-high-latency',
    valueExpr: quantile(0.95, METRIC_NAMES.requestDuration, [INFERENCE], '5m'),
    comparison: '>',
    threshold: 5,
    for: '10m',
    severity: 'warning',
    summary: 'Ollama p95 latency is %value% (above 5s)',
    description:
      'The 95th percentile of inference request durations (generate, chat, embed, /v1) stayed above 5 seconds for 10 minutes. ' +
      'Check the queue depth, model loads (cold starts) and whether a model is offloaded to the CPU; exemplars on the latency panels open slow requests.',
    valueFormat: 'seconds',
    panelId: 5,
    noData: 'OK',
    expect: 'traffic',
  },
  {
    name: 'LowTokenThroughput',
    uid: 'ollamalens-low-token-throughput',
    valueExpr: generationSpeed([], '5m', ['model']),
    comparison: '<',
    threshold: 10,
    for: '5m',
    severity: 'warning',
    summary: '{{ $labels.model }} generates %value% (below 10 tok/s)',
    description:
      'Requests to this model generated fewer than 10 output tokens per second on average for 5 minutes. The rule only evaluates while requests arrive ' +
      '(no requests, no value). Typical causes: the model is partly offloaded to the CPU, the GPU is saturated or throttling, or too many parallel requests.',
    valueFormat: 'tokens_per_second',
    panelId: 6,
    noData: 'OK',
    expect: 'traffic',
  },
  {
    name: 'ServiceDown',
    uid: 'ollamalens-service-down',
    // up (Prometheus → sidecar) and ollama_up (sidecar → Ollama) in one series per target: the minimum is 0 when
    // either is down, and stays 0 when the sidecar is down and ollama_up goes stale.
    valueExpr: `min by (job, instance) ({__name__=~"up|${METRIC_NAMES.up}", job="${SCRAPE_JOB}"})`,
    comparison: '<',
    threshold: 1,
    for: '1m',
    severity: 'critical',
    summary: 'Ollama Lens on {{ $labels.instance }} is down (sidecar or Ollama)',
    description:
      `For 1 minute, Prometheus could not scrape the Ollama Lens sidecar (up == 0) or the sidecar could not reach Ollama (${METRIC_NAMES.up} == 0). ` +
      'Apps that talk to Ollama through the proxy get errors. Check the sidecar and Ollama containers or services and their logs.',
    valueFormat: 'count',
    panelId: 20,
    // No series at all means Prometheus has lost the target entirely: that is "down" too.
    noData: 'Alerting',
    expect: 'scrape',
  },
  {
    name: 'ModelOffloadedToCPU',
    uid: 'ollamalens-model-offloaded-to-cpu',
    // Only on hosts with a GPU (nvidia-smi reports one, or some model sits in VRAM): on a CPU-only host every model is in RAM by design.
    valueExpr:
      `max by (model) (${METRIC_NAMES.modelMemory}{location="ram"})` +
      ` and on (model) (max by (model) (${METRIC_NAMES.modelLoaded}) == 1)` +
      ` and on () (count(${METRIC_NAMES.gpuMemoryTotal}) > 0 or count(${METRIC_NAMES.modelMemory}{location="vram"} > 0) > 0)`,
    comparison: '>',
    threshold: 0,
    for: '5m',
    severity: 'warning',
    summary: '{{ $labels.model }} has %value% outside VRAM (offloaded to the CPU)',
    description:
      'A loaded model does not fit in GPU memory: part of it runs from system RAM on the CPU, which makes generation much slower. ' +
      'Use a smaller or more quantized model, a shorter context (num_ctx), fewer models loaded at once (OLLAMA_MAX_LOADED_MODELS) or a larger GPU.',
    valueFormat: 'bytes',
    panelId: 9,
    noData: 'OK',
    // Not on CI: it has no GPU, so the guard keeps the result empty.
    expect: 'gpu',
  },
  {
    name: 'GPUTemperatureHigh',
    uid: 'ollamalens-gpu-temperature-high',
    valueExpr: `max by (gpu, name) (${METRIC_NAMES.gpuTemperature})`,
    comparison: '>',
    threshold: 85,
    for: '5m',
    severity: 'warning',
    summary: 'GPU {{ $labels.gpu }} ({{ $labels.name }}) is at %value%',
    description:
      'The GPU has been above 85 °C for 5 minutes; it will throttle and generation slows down. Check cooling, fan curves and sustained load.',
    valueFormat: 'celsius',
    panelId: 19,
    noData: 'OK',
    expect: 'gpu',
  },
  {
    name: 'QueueBacklog',
    uid: 'ollamalens-queue-backlog',
    valueExpr: `max by (instance) (${METRIC_NAMES.queueDepth})`,
    comparison: '>',
    threshold: 10,
    for: '5m',
    severity: 'warning',
    summary: '%value% requests are waiting for Ollama',
    description:
      'More than 10 requests have been waiting for Ollama for 5 minutes: arrivals exceed what Ollama serves in parallel. ' +
      'Raise OLLAMA_NUM_PARALLEL if memory allows, add capacity, or slow the clients down.',
    valueFormat: 'count',
    panelId: 10,
    noData: 'OK',
    expect: 'scrape',
  },
  {
    name: 'MessageStoreDropping',
    uid: 'ollamalens-message-store-dropping',
    valueExpr: `sum by (reason) (increase(${METRIC_NAMES.storeDropped}[5m]))`,
    comparison: '>',
    threshold: 0,
    for: '0m',
    severity: 'warning',
    summary: 'The message store dropped %value% records in 5 minutes ({{ $labels.reason }})',
    description:
      'The sidecar could not keep up writing messages to its SQLite store (queue full or write errors), so some messages are missing from the Explorer. ' +
      'Metrics are unaffected. Check disk space and speed, or raise OLLAMA_LENS_QUEUE_SIZE.',
    valueFormat: 'count',
    panelId: 21,
    noData: 'OK',
    expect: 'store_drops',
  },
];

export function alertByName(name: string): AlertDef {
  const a = ALERTS.find((x) => x.name === name);
  if (!a) {
    throw new Error(`no alert named ${name}`);
  }
  return a;
}

/** The Prometheus alerting expression: the value expression compared with the threshold. */
export function prometheusExpr(alert: AlertDef): string {
  return `(${alert.valueExpr}) ${alert.comparison} ${alert.threshold}`;
}

/** Go-template text that prints a value held in `ref` (`$value` in Prometheus, `$values.B.Value` in Grafana). */
export function formatValue(format: ValueFormat, ref: string): string {
  switch (format) {
    case 'percent':
      return `{{ ${ref} | humanizePercentage }}`;
    case 'seconds':
      return `{{ ${ref} | humanizeDuration }}`;
    case 'tokens_per_second':
      return `{{ printf "%.1f" ${ref} }} tok/s`;
    case 'celsius':
      return `{{ printf "%.0f" ${ref} }} °C`;
    case 'bytes':
      return `{{ ${ref} | humanize1024 }}B`;
    case 'count':
      return `{{ printf "%.0f" ${ref} }}`;
  }
}

export interface AlertAnnotations {
  summary: string;
  description: string;
  /** Path of the overview panel that shows the alerted value. */
  dashboard_url: string;
}

/** Annotations with the value printed from `valueRef` (a Go-template expression of the target system). */
export function alertAnnotations(alert: AlertDef, valueRef: string): AlertAnnotations {
  return {
    summary: alert.summary.replace('%value%', formatValue(alert.valueFormat, valueRef)),
    description: alert.description,
    dashboard_url: overviewPanelPath(alert.panelId),
  };
}

/** Labels every rule carries (severity for routing, service for selecting ours). */
export function alertLabels(alert: AlertDef): Record<string, string> {
  return { severity: alert.severity, [ALERT_LABEL.name]: ALERT_LABEL.value };
}
