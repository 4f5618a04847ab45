import type { Histogram, LabelValues } from 'prom-client';
import { INFERENCE_ENDPOINTS } from '../ollama/endpoint';
import { generationMeasuredAtProxy } from '../tap/derive';
import type { ErrorType, MeasurementRecord, RecordSink, RequestStartInfo } from '../tap/record';
import { BoundedLabel, UNINSTALLED_MODEL_LIMIT, UNKNOWN } from './labels';
import type { Redactor } from '../store/redact';
import type { Metrics } from './metrics';

/** A load at least this long is a cold start; a model already in memory reports a few milliseconds. */
export const COLD_START_MIN_LOAD_MS = 100;
/** Requests that waited on the same load see it end at about the same moment: count it once. */
export const SAME_LOAD_WINDOW_MS = 500;
/** Exemplar label sets are limited to 128 characters in OpenMetrics (name included). */
const MAX_EXEMPLAR_ID_CHARS = 100;

export interface RecorderOptions {
  userLabel: boolean;
  userLabelLimit: number;
  /** With --redact, the `user` label shows the user as the store keeps it: redacted. */
  redactor?: Redactor;
  /** Requests Ollama runs at once per model (its OLLAMA_NUM_PARALLEL), for the queue-depth estimate. */
  ollamaNumParallel: number;
  /** Shared with the Ollama poller, which pins installed model names. */
  models?: BoundedLabel;
  /** Shared with the queue-depth gauge's collect hook (created before the metrics it feeds). */
  inFlight?: InFlight;
  onError?: (err: unknown) => void;
}

interface Started {
  model: string;
  inference: boolean;
}

/** Requests between onRequestStart and record, for the in-flight gauge and the queue estimate. */
export class InFlight {
  private readonly byId = new Map<string, Started>();
  private readonly inferenceByModel = new Map<string, number>();

  start(id: string, started: Started): boolean {
    if (this.byId.has(id)) return false;
    this.byId.set(id, started);
    if (started.inference)
      this.inferenceByModel.set(started.model, (this.inferenceByModel.get(started.model) ?? 0) + 1);
    return true;
  }

  end(id: string): Started | undefined {
    const started = this.byId.get(id);
    if (!started) return undefined;
    this.byId.delete(id);
    if (started.inference) {
      const n = (this.inferenceByModel.get(started.model) ?? 1) - 1;
      if (n > 0) this.inferenceByModel.set(started.model, n);
      else this.inferenceByModel.delete(started.model);
    }
    return started;
  }

  /** Per model, the inference requests beyond what Ollama runs at once are waiting in its queue. */
  queueDepth(parallel: number): number {
    let depth = 0;
    for (const n of this.inferenceByModel.values()) depth += Math.max(0, n - parallel);
    return depth;
  }

  get size(): number {
    return this.byId.size;
  }
}

function positive(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}

function nonNegative(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/**
 * prom-client's typings give exemplarLabels the metric's own label names; exemplars carry their own
 * (request_id), which the runtime accepts.
 */
function observeWithExemplar<T extends string>(
  h: Histogram<T>,
  labels: LabelValues<T>,
  value: number,
  exemplarLabels: Record<string, string>
): void {
  const observe = h.observe as unknown as (data: {
    labels: LabelValues<T>;
    value: number;
    exemplarLabels: Record<string, string>;
  }) => void;
  observe.call(h, { labels, value, exemplarLabels });
}

function errorTypeOf(r: MeasurementRecord): ErrorType {
  if (r.error_type) return r.error_type;
  if (r.status === 'cancelled') return 'cancelled';
  if (r.status === 'timeout') return 'timeout';
  return 'upstream_error';
}

/**
 * The metrics sink: turns each measurement record into observations. Synchronous and allocation-light
 * (a few label objects per record); never throws into the tap. It reads the record's derived values
 * (canonical model, queue estimate, generation span, tokens/s, cost: tap/derive.ts) and computes none.
 */
export class MetricsRecorder implements RecordSink {
  readonly name = 'metrics';
  readonly inFlight: InFlight;
  private readonly models: BoundedLabel;
  private readonly users: BoundedLabel;
  /** Per model, when the last counted cold load ended (epoch ms). */
  private readonly lastLoadEnd = new Map<string, number>();

  constructor(
    private readonly m: Metrics,
    private readonly opts: RecorderOptions
  ) {
    this.models = opts.models ?? new BoundedLabel(UNINSTALLED_MODEL_LIMIT);
    this.inFlight = opts.inFlight ?? new InFlight();
    this.users = new BoundedLabel(opts.userLabelLimit);
  }

  queueDepth(): number {
    return this.inFlight.queueDepth(this.opts.ollamaNumParallel);
  }

  onRequestStart(info: RequestStartInfo): void {
    try {
      const model = this.modelLabel(info.model);
      if (this.inFlight.start(info.id, { model, inference: INFERENCE_ENDPOINTS.has(info.endpoint) }))
        this.m.inFlight.inc({ model });
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  record(r: MeasurementRecord): void {
    try {
      this.observe(r);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  /** The bounded label value of a canonical model name. */
  private modelLabel(model: string | undefined): string {
    return this.models.value(model ?? UNKNOWN);
  }

  private observe(r: MeasurementRecord): void {
    const m = this.m;
    const started = this.inFlight.end(r.id);
    if (started) m.inFlight.dec({ model: started.model });

    // The label the request started with, so a model name parsed differently later cannot split it.
    const model = started?.model ?? this.modelLabel(r.model);
    const endpoint = r.endpoint;
    const exemplarLabels = { request_id: r.id.slice(0, MAX_EXEMPLAR_ID_CHARS) };

    if (this.opts.userLabel) {
      const raw = r.user?.trim() || UNKNOWN;
      const user = this.users.value(this.opts.redactor ? this.opts.redactor.redact(raw).text : raw);
      m.requests.inc({ model, endpoint, status: r.status, user });
    } else {
      m.requests.inc({ model, endpoint, status: r.status });
    }
    if (nonNegative(r.duration_ms)) {
      observeWithExemplar(m.requestDuration, { model, endpoint }, r.duration_ms / 1000, exemplarLabels);
    }
    if (r.status !== 'success') m.errors.inc({ model, endpoint, error_type: errorTypeOf(r) });
    if (nonNegative(r.proxy_overhead_ms)) m.overhead.observe(r.proxy_overhead_ms / 1000);

    const byModel = { model };
    if (r.stream && nonNegative(r.ttft_ms)) {
      observeWithExemplar(m.timeToFirstToken, byModel, r.ttft_ms / 1000, exemplarLabels);
    }

    if (positive(r.input_tokens)) m.inputTokens.inc(byModel, r.input_tokens);
    const outTokens = positive(r.output_tokens) ? r.output_tokens : undefined;
    if (outTokens !== undefined) m.outputTokens.inc(byModel, outTokens);
    if (positive(r.cost)) m.cost.inc(byModel, r.cost);

    const t = r.timings;
    if (positive(t?.load_duration_ns)) m.loadDuration.observe(byModel, t.load_duration_ns / 1e9);
    if (positive(t?.prompt_eval_duration_ns))
      m.promptEvalDuration.observe(byModel, t.prompt_eval_duration_ns / 1e9);
    if (positive(t?.eval_duration_ns)) m.evalDuration.observe(byModel, t.eval_duration_ns / 1e9);
    if (nonNegative(r.queue_ms)) m.queueTime.observe(byModel, r.queue_ms / 1000);
    if (positive(t?.load_duration_ns)) this.countColdStart(model, r.started_at, t.load_duration_ns / 1e6);

    // Generation span (first output token to last), observed exactly when the output tokens were
    // counted, so rate(output tokens) / rate(span sum) is the generation speed.
    if (outTokens === undefined) return;
    if (nonNegative(r.generation_ms)) {
      const span = r.generation_ms / 1000;
      m.streamingDuration.observe(byModel, span);
      // The gaps between tokens: a stream's span has one fewer gap than tokens; Ollama's eval
      // duration covers every generated token.
      const gaps = generationMeasuredAtProxy(r) ? outTokens - 1 : t?.eval_count;
      if (positive(gaps)) m.timePerOutputToken.observe(byModel, span / gaps);
    }
    if (positive(r.tokens_per_second)) m.outputTokensPerSecond.observe(byModel, r.tokens_per_second);
  }

  private countColdStart(model: string, startedAt: number, loadMs: number): void {
    if (loadMs < COLD_START_MIN_LOAD_MS) return;
    const end = startedAt + loadMs;
    const last = this.lastLoadEnd.get(model);
    if (last !== undefined && Math.abs(end - last) <= SAME_LOAD_WINDOW_MS) return;
    this.lastLoadEnd.set(model, end);
    this.m.modelLoads.inc({ model });
  }
}
