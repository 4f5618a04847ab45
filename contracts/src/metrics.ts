/**
 * The names of every metric the sidecar exports. The sidecar declares each metric (type, labels, help)
 * under the same key in sidecar/src/metrics/contract.ts; the dashboard panels and alert rules
 * (plugin/src/queries) build their PromQL from these names, so a rename reaches both or fails to compile.
 */
export const METRIC_NAMES = {
  requests: 'ollama_requests_total',
  requestDuration: 'ollama_request_duration_seconds',
  timeToFirstToken: 'ollama_time_to_first_token_seconds',
  streamingDuration: 'ollama_streaming_duration_seconds',
  timePerOutputToken: 'ollama_time_per_output_token_seconds',
  inputTokens: 'ollama_input_tokens_total',
  outputTokens: 'ollama_output_tokens_total',
  errors: 'ollama_errors_total',
  inFlight: 'ollama_requests_in_flight',
  queueDepth: 'ollama_request_queue_depth',
  queueTime: 'ollama_request_queue_time_seconds',
  loadDuration: 'ollama_load_duration_seconds',
  promptEvalDuration: 'ollama_prompt_eval_duration_seconds',
  evalDuration: 'ollama_eval_duration_seconds',
  outputTokensPerSecond: 'ollama_output_tokens_per_second',
  modelLoads: 'ollama_model_loads_total',
  cost: 'ollama_cost_total',
  overhead: 'ollama_sidecar_overhead_seconds',
  up: 'ollama_up',
  modelsLoaded: 'ollama_models_loaded',
  modelLoaded: 'ollama_model_loaded',
  modelMemory: 'ollama_model_memory_bytes',
  modelContextLength: 'ollama_model_context_length',
  buildInfo: 'ollama_build_info',
  hostCpu: 'ollama_host_cpu_utilization_ratio',
  hostMemoryUsed: 'ollama_host_memory_used_bytes',
  hostMemoryTotal: 'ollama_host_memory_total_bytes',
  hostUptime: 'ollama_host_uptime_seconds',
  hostCpuTemperature: 'ollama_host_cpu_temperature_celsius',
  gpuUtilization: 'ollama_gpu_utilization_ratio',
  gpuMemoryUsed: 'ollama_gpu_memory_used_bytes',
  gpuMemoryTotal: 'ollama_gpu_memory_total_bytes',
  gpuTemperature: 'ollama_gpu_temperature_celsius',
  gpuPower: 'ollama_gpu_power_watts',
  storeWritten: 'ollama_store_written_total',
  storeDropped: 'ollama_store_dropped_total',
  storeQueueDepth: 'ollama_store_queue_depth',
  storeThreadRestarts: 'ollama_store_thread_restarts_total',
  otelExported: 'ollama_otel_spans_exported_total',
  otelDropped: 'ollama_otel_spans_dropped_total',
} as const;

export type MetricKey = keyof typeof METRIC_NAMES;
export type MetricName = (typeof METRIC_NAMES)[MetricKey];

/**
 * When a dashboard panel or alert query can have data (plugin/src/queries declares one per query; the
 * sidecar's stack tests check each against a live Prometheus under that condition).
 */
export const DATA_CONDITIONS = [
  /** Any successful scrape of the sidecar (gauges polled from Ollama and the host, `up`). */
  'scrape',
  /** At least one inference request went through the proxy within the window. */
  'traffic',
  /** At least one request failed within the window. */
  'errors',
  /** Ollama has a model loaded (`/api/ps` is not empty). */
  'loaded_model',
  /** A price table is configured (`OLLAMA_LENS_PRICES`), so cost counters move. */
  'prices',
  /** The message store is enabled and has written records. */
  'store',
  /** The message store dropped records (queue full, write error). */
  'store_drops',
  /** nvidia-smi reports at least one GPU. */
  'gpu',
  /** The host exposes CPU temperature sensors. */
  'cpu_sensors',
] as const;
export type DataCondition = (typeof DATA_CONDITIONS)[number];
