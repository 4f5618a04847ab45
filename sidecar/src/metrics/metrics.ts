import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS, METRIC_KEYS, type MetricKey, type MetricSpec } from './contract';

type SpecOf<K extends MetricKey> = (typeof METRICS)[K];
type OptionalLabelsOf<S> = S extends { optionalLabels: readonly (infer L extends string)[] } ? L : never;
export type LabelsOf<K extends MetricKey> = SpecOf<K>['labels'][number] | OptionalLabelsOf<SpecOf<K>>;

export type MetricOf<K extends MetricKey> = SpecOf<K>['type'] extends 'counter'
  ? Counter<LabelsOf<K>>
  : SpecOf<K>['type'] extends 'gauge'
    ? Gauge<LabelsOf<K>>
    : Histogram<LabelsOf<K>>;

/** The live prom-client objects, one per contract entry, typed by their labels. */
export type Metrics = { [K in MetricKey]: MetricOf<K> };

/** Callbacks run when a metric is scraped, to read polled or external state into it. */
export type CollectHooks = { [K in MetricKey]?: (metric: MetricOf<K>) => void };

export interface CreateMetricsOptions {
  /** Adds the optional `user` label to ollama_requests_total. */
  userLabel: boolean;
  collect?: CollectHooks;
  /** A collect hook that throws is reported here and the scrape goes on without it. */
  onCollectError?: (metric: string, err: unknown) => void;
}

/** Label names a spec has under the given options (the contract's optional labels only when enabled). */
export function labelNamesOf(spec: MetricSpec, opts: { userLabel: boolean }): string[] {
  const optional = opts.userLabel ? (spec.optionalLabels ?? []) : [];
  return [...spec.labels, ...optional];
}

/**
 * Creates every metric of the contract on `registry`. Metrics are built without a registry and then
 * registered, because prom-client refuses exemplars on a registry whose content type is Prometheus text;
 * our /metrics route renders both formats itself (exposition.ts), so the registry's own type does not
 * matter.
 */
export function createMetrics(registry: Registry, opts: CreateMetricsOptions): Metrics {
  const out: Partial<Record<MetricKey, Counter | Gauge | Histogram>> = {};
  for (const key of METRIC_KEYS) {
    const spec: MetricSpec = METRICS[key];
    const hook = opts.collect?.[key] as ((m: unknown) => void) | undefined;
    const base = {
      name: spec.name,
      help: spec.help,
      labelNames: labelNamesOf(spec, opts),
      registers: [] as Registry[],
      ...(hook
        ? {
            collect(this: unknown) {
              try {
                hook(this);
              } catch (err) {
                opts.onCollectError?.(spec.name, err);
              }
            },
          }
        : {}),
    };
    let metric: Counter | Gauge | Histogram;
    switch (spec.type) {
      case 'counter':
        metric = new Counter(base);
        break;
      case 'gauge':
        metric = new Gauge(base);
        break;
      case 'histogram':
        metric = new Histogram({
          ...base,
          buckets: [...(spec.buckets ?? [])],
          enableExemplars: spec.exemplars === true,
        });
        break;
    }
    registry.registerMetric(metric);
    out[key] = metric;
  }
  return out as Metrics;
}

/**
 * prom-client defaults that are gauges named `*_total`, which Prometheus' linter (promtool check
 * metrics) rejects: a `_total` suffix promises a counter. nodejs_active_resources holds the same facts.
 */
export const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** prom-client's default process and Node.js metrics, without the misnamed ones. */
export function registerDefaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
}

/**
 * Empties a gauge before a collect hook refills it. prom-client's reset() leaves an unlabelled gauge
 * at 0, which would claim a value nobody measured (`ollama_up 0` means down): that series goes too,
 * so an unknown value is absent.
 */
export function clearGauge<T extends string>(g: Gauge<T>): void {
  g.reset();
  g.remove({});
}
