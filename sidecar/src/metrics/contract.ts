/**
 * The metric contract: every metric the sidecar exports, declared once with its type, labels, unit,
 * buckets and help text. The names come from @ollama-lens/contracts (METRIC_NAMES), which the
 * dashboard, the alert rules and the plugin's queries build their PromQL from; docs/metrics.md documents
 * the same table and a test fails when the two disagree.
 */
import { METRIC_NAMES, type MetricKey } from '@ollama-lens/contracts';

/** The seeds' 20 latency buckets (seed 002), for whole requests and the generation phase. */
export const REQUEST_DURATION_BUCKETS = [
  0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 5, 7.5, 10, 15, 30, 45, 60, 90, 120, 180,
] as const;

/** Phases that are often a few milliseconds (prompt eval, warm load, queue) and sometimes minutes (cold load). */
export const PHASE_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
] as const;

/** Time per output token: about 1 ms (small model on a GPU) to 1 s (large model on a CPU). */
export const TOKEN_TIME_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1,
] as const;

export const TOKENS_PER_SECOND_BUCKETS = [
  1, 2.5, 5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000,
] as const;

/** The sidecar's own time per request: tens of microseconds expected, milliseconds would be a problem. */
export const OVERHEAD_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
] as const;

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Where a metric's values come from (decides how it is fed: per request, or read when scraped). */
export type MetricSource = 'request' | 'ollama' | 'host' | 'gpu' | 'store' | 'otel';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  /** Labels present only when a config option turns them on (the `user` label). */
  readonly optionalLabels?: readonly string[];
  /** Unit of the value, as docs/metrics.md shows it. */
  readonly unit: string;
  readonly buckets?: readonly number[];
  /** Carries `request_id` exemplars (visible when scraped as OpenMetrics). */
  readonly exemplars?: boolean;
  readonly source: MetricSource;
}

export const METRICS = {
  requests: {
    name: METRIC_NAMES.requests,
    type: 'counter',
    help: 'Requests through the proxy by model, endpoint and outcome (success, error, cancelled, timeout).',
    labels: ['model', 'endpoint', 'status'],
    optionalLabels: ['user'],
    unit: 'requests',
    source: 'request',
  },
  requestDuration: {
    name: METRIC_NAMES.requestDuration,
    type: 'histogram',
    help: 'Wall time of a request at the proxy, from its arrival to the last response byte.',
    labels: ['model', 'endpoint'],
    unit: 'seconds',
    buckets: REQUEST_DURATION_BUCKETS,
    exemplars: true,
    source: 'request',
  },
  timeToFirstToken: {
    name: METRIC_NAMES.timeToFirstToken,
    type: 'histogram',
    help: 'Time from the request to the first streamed chunk carrying model output (streamed requests only).',
    labels: ['model'],
    unit: 'seconds',
    buckets: PHASE_BUCKETS,
    exemplars: true,
    source: 'request',
  },
  streamingDuration: {
    name: METRIC_NAMES.streamingDuration,
    type: 'histogram',
    help: 'Generation span, first output token to last: measured at the proxy for streams, Ollama eval_duration otherwise.',
    labels: ['model'],
    unit: 'seconds',
    buckets: REQUEST_DURATION_BUCKETS,
    source: 'request',
  },
  timePerOutputToken: {
    name: METRIC_NAMES.timePerOutputToken,
    type: 'histogram',
    help: 'Average time between output tokens of a request (generation span divided by the tokens after the first).',
    labels: ['model'],
    unit: 'seconds',
    buckets: TOKEN_TIME_BUCKETS,
    source: 'request',
  },
  inputTokens: {
    name: METRIC_NAMES.inputTokens,
    type: 'counter',
    help: 'Prompt tokens processed (Ollama prompt_eval_count or the /v1 usage prompt_tokens).',
    labels: ['model'],
    unit: 'tokens',
    source: 'request',
  },
  outputTokens: {
    name: METRIC_NAMES.outputTokens,
    type: 'counter',
    help: 'Tokens generated (Ollama eval_count or the /v1 usage completion_tokens).',
    labels: ['model'],
    unit: 'tokens',
    source: 'request',
  },
  errors: {
    name: METRIC_NAMES.errors,
    type: 'counter',
    help: 'Failed, cancelled and timed-out requests by error type.',
    labels: ['model', 'endpoint', 'error_type'],
    unit: 'requests',
    source: 'request',
  },
  inFlight: {
    name: METRIC_NAMES.inFlight,
    type: 'gauge',
    help: 'Requests currently being forwarded, by model.',
    labels: ['model'],
    unit: 'requests',
    source: 'request',
  },
  queueDepth: {
    name: METRIC_NAMES.queueDepth,
    type: 'gauge',
    help: 'Estimated requests waiting inside Ollama: per model, inference requests in flight beyond OLLAMA_NUM_PARALLEL.',
    labels: [],
    unit: 'requests',
    source: 'request',
  },
  queueTime: {
    name: METRIC_NAMES.queueTime,
    type: 'histogram',
    help: 'Estimated time a request waited inside Ollama: total_duration minus load, prompt eval and eval durations.',
    labels: ['model'],
    unit: 'seconds',
    buckets: PHASE_BUCKETS,
    source: 'request',
  },
  loadDuration: {
    name: METRIC_NAMES.loadDuration,
    type: 'histogram',
    help: 'Ollama load_duration: time to get the model ready for the request (large on a cold start).',
    labels: ['model'],
    unit: 'seconds',
    buckets: PHASE_BUCKETS,
    source: 'request',
  },
  promptEvalDuration: {
    name: METRIC_NAMES.promptEvalDuration,
    type: 'histogram',
    help: 'Ollama prompt_eval_duration: time spent evaluating the prompt.',
    labels: ['model'],
    unit: 'seconds',
    buckets: PHASE_BUCKETS,
    source: 'request',
  },
  evalDuration: {
    name: METRIC_NAMES.evalDuration,
    type: 'histogram',
    help: 'Ollama eval_duration: time spent generating the output tokens.',
    labels: ['model'],
    unit: 'seconds',
    buckets: REQUEST_DURATION_BUCKETS,
    source: 'request',
  },
  outputTokensPerSecond: {
    name: METRIC_NAMES.outputTokensPerSecond,
    type: 'histogram',
    help: 'Generation speed of a request: Ollama eval_count / eval_duration (or output tokens over the measured stream span).',
    labels: ['model'],
    unit: 'tokens/s',
    buckets: TOKENS_PER_SECOND_BUCKETS,
    source: 'request',
  },
  modelLoads: {
    name: METRIC_NAMES.modelLoads,
    type: 'counter',
    help: 'Cold starts seen through the proxy: model loads of at least 100 ms reported by Ollama (concurrent waiters count once).',
    labels: ['model'],
    unit: 'loads',
    source: 'request',
  },
  cost: {
    name: METRIC_NAMES.cost,
    type: 'counter',
    help: 'Shadow cost in USD from the configured price table (per million input and output tokens).',
    labels: ['model'],
    unit: 'USD',
    source: 'request',
  },
  overhead: {
    name: METRIC_NAMES.overhead,
    type: 'histogram',
    help: "Time the sidecar itself added to a request (its own processing, not Ollama's).",
    labels: [],
    unit: 'seconds',
    buckets: OVERHEAD_BUCKETS,
    source: 'request',
  },
  up: {
    name: METRIC_NAMES.up,
    type: 'gauge',
    help: 'Whether the last poll of Ollama /api/version succeeded (1) or not (0).',
    labels: [],
    unit: 'boolean',
    source: 'ollama',
  },
  modelsLoaded: {
    name: METRIC_NAMES.modelsLoaded,
    type: 'gauge',
    help: 'Models Ollama has in memory (/api/ps).',
    labels: [],
    unit: 'models',
    source: 'ollama',
  },
  modelLoaded: {
    name: METRIC_NAMES.modelLoaded,
    type: 'gauge',
    help: 'Per installed or running model: 1 when it is in memory (/api/ps), 0 when only installed (/api/tags).',
    labels: ['model'],
    unit: 'boolean',
    source: 'ollama',
  },
  modelMemory: {
    name: METRIC_NAMES.modelMemory,
    type: 'gauge',
    help: 'Memory of a loaded model by location: vram (size_vram) and ram (size - size_vram, i.e. spilled to the CPU).',
    labels: ['model', 'location'],
    unit: 'bytes',
    source: 'ollama',
  },
  modelContextLength: {
    name: METRIC_NAMES.modelContextLength,
    type: 'gauge',
    help: 'Context window a loaded model runs with (/api/ps context_length).',
    labels: ['model'],
    unit: 'tokens',
    source: 'ollama',
  },
  buildInfo: {
    name: METRIC_NAMES.buildInfo,
    type: 'gauge',
    help: 'Always 1; the version label is what Ollama /api/version reports.',
    labels: ['version'],
    unit: 'info',
    source: 'ollama',
  },
  hostCpu: {
    name: METRIC_NAMES.hostCpu,
    type: 'gauge',
    help: 'Share of CPU time the host spent busy (all cores) over the last poll interval.',
    labels: [],
    unit: 'ratio',
    source: 'host',
  },
  hostMemoryUsed: {
    name: METRIC_NAMES.hostMemoryUsed,
    type: 'gauge',
    help: 'Host memory in use: MemTotal - MemAvailable.',
    labels: [],
    unit: 'bytes',
    source: 'host',
  },
  hostMemoryTotal: {
    name: METRIC_NAMES.hostMemoryTotal,
    type: 'gauge',
    help: 'Host memory installed (MemTotal).',
    labels: [],
    unit: 'bytes',
    source: 'host',
  },
  hostUptime: {
    name: METRIC_NAMES.hostUptime,
    type: 'gauge',
    help: 'Seconds since the host booted.',
    labels: [],
    unit: 'seconds',
    source: 'host',
  },
  hostCpuTemperature: {
    name: METRIC_NAMES.hostCpuTemperature,
    type: 'gauge',
    help: 'CPU temperature per sensor, where the OS exposes it (/sys/class/hwmon, /sys/class/thermal).',
    labels: ['sensor'],
    unit: 'celsius',
    source: 'host',
  },
  gpuUtilization: {
    name: METRIC_NAMES.gpuUtilization,
    type: 'gauge',
    help: 'GPU utilisation, 0–1 (nvidia-smi utilization.gpu, rocm-smi GPU use, ioreg Device Utilization %).',
    labels: ['gpu', 'name', 'vendor'],
    unit: 'ratio',
    source: 'gpu',
  },
  gpuMemoryUsed: {
    name: METRIC_NAMES.gpuMemoryUsed,
    type: 'gauge',
    help: 'GPU memory in use (nvidia-smi memory.used, rocm-smi VRAM used, ioreg In use system memory).',
    labels: ['gpu', 'name', 'vendor'],
    unit: 'bytes',
    source: 'gpu',
  },
  gpuMemoryTotal: {
    name: METRIC_NAMES.gpuMemoryTotal,
    type: 'gauge',
    help: 'GPU memory installed (nvidia-smi memory.total, rocm-smi VRAM total; none for Apple unified memory).',
    labels: ['gpu', 'name', 'vendor'],
    unit: 'bytes',
    source: 'gpu',
  },
  gpuTemperature: {
    name: METRIC_NAMES.gpuTemperature,
    type: 'gauge',
    help: 'GPU temperature (nvidia-smi temperature.gpu, rocm-smi edge sensor; none from ioreg).',
    labels: ['gpu', 'name', 'vendor'],
    unit: 'celsius',
    source: 'gpu',
  },
  gpuPower: {
    name: METRIC_NAMES.gpuPower,
    type: 'gauge',
    help: 'GPU power draw (nvidia-smi power.draw, rocm-smi package power; none from ioreg).',
    labels: ['gpu', 'name', 'vendor'],
    unit: 'watts',
    source: 'gpu',
  },
  storeWritten: {
    name: METRIC_NAMES.storeWritten,
    type: 'counter',
    help: 'Measurement records written to the message store.',
    labels: [],
    unit: 'records',
    source: 'store',
  },
  storeDropped: {
    name: METRIC_NAMES.storeDropped,
    type: 'counter',
    help: 'Records the message store dropped: queue_full (writer behind) or store_error (write failed).',
    labels: ['reason'],
    unit: 'records',
    source: 'store',
  },
  storeQueueDepth: {
    name: METRIC_NAMES.storeQueueDepth,
    type: 'gauge',
    help: 'Records waiting to be written to the message store.',
    labels: [],
    unit: 'records',
    source: 'store',
  },
  storeThreadRestarts: {
    name: METRIC_NAMES.storeThreadRestarts,
    type: 'counter',
    help: 'Store threads replaced: the writer or a reader died (crash), an analytics query ran past its budget (timeout) or out of heap (memory).',
    labels: ['thread', 'reason'],
    unit: 'restarts',
    source: 'store',
  },
  otelExported: {
    name: METRIC_NAMES.otelExported,
    type: 'counter',
    help: 'Spans the OpenTelemetry collector accepted (--otlp-endpoint).',
    labels: [],
    unit: 'spans',
    source: 'otel',
  },
  otelDropped: {
    name: METRIC_NAMES.otelDropped,
    type: 'counter',
    help: 'Spans not exported: queue_full (export behind by --otlp-queue-size spans) or export_error (collector down, rejected or timed out).',
    labels: ['reason'],
    unit: 'spans',
    source: 'otel',
  },
} as const satisfies { [K in MetricKey]: MetricSpec & { readonly name: (typeof METRIC_NAMES)[K] } };

export type { MetricKey };

export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/** prom-client's default process metrics keep their own names under these prefixes. */
export const DEFAULT_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

/** Reasons the store may drop a record (`ollama_store_dropped_total{reason}`). */
export const STORE_DROP_REASONS = ['queue_full', 'store_error'] as const;
export type StoreDropReason = (typeof STORE_DROP_REASONS)[number];

/** Reasons a span may not be exported (`ollama_otel_spans_dropped_total{reason}`). */
export const OTEL_DROP_REASONS = ['queue_full', 'export_error'] as const;
export type OtelDropReason = (typeof OTEL_DROP_REASONS)[number];

/** The store's threads and why one was replaced (`ollama_store_thread_restarts_total{thread,reason}`). */
export const STORE_THREADS = ['writer', 'reader'] as const;
export type StoreThreadName = (typeof STORE_THREADS)[number];
export const STORE_THREAD_RESTART_REASONS = ['crash', 'timeout', 'memory'] as const;
export type StoreThreadRestartReason = (typeof STORE_THREAD_RESTART_REASONS)[number];

/** Where a loaded model's memory lives (`ollama_model_memory_bytes{location}`). */
export const MEMORY_LOCATIONS = ['vram', 'ram'] as const;
