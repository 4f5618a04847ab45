/**
 * Renders one prom-client registry in either exposition format, chosen per request.
 *
 * Why not registry.metrics(): prom-client renders exemplars only when the registry itself is in
 * OpenMetrics mode, and switching the mode per request (setContentType) is shared state that two
 * concurrent scrapes would race on; its OpenMetrics path also renames counters in place (it strips
 * `_total` from metric.name), which would corrupt a later Prometheus-text scrape. So both formats are
 * written here from the same metric values, read-only: one set of metrics, two renderings, no shared
 * mutable state between scrapes.
 */
import { Registry } from 'prom-client';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/**
 * Picks the format from an Accept header: OpenMetrics when `application/openmetrics-text` is accepted
 * at least as strongly as plain text (Prometheus asks for it first), Prometheus text otherwise.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [typePart, ...params] = range.split(';');
    const type = typePart.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k.toLowerCase() === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      }
    }
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

type LabelSet = Record<string, string | number>;

interface ExemplarData {
  labelSet: LabelSet;
  value: number | null;
  timestamp?: number;
}

/** The parts of prom-client's per-metric data that the exposition reads (its typings omit some). */
interface Sample {
  value: number;
  labels: LabelSet;
  metricName?: string;
  /** Histograms and summaries: the series' own labels. */
  sharedLabels?: LabelSet;
  exemplar?: ExemplarData | null;
}

interface FamilyData {
  name: string;
  help: string;
  type: string;
  values: Sample[];
}

/** A registered prom-client metric as the registry holds it. */
interface RenderableMetric {
  name: string;
  help: string;
  type: string;
  get(): Promise<FamilyData>;
  /** Summaries (and histograms): values before labels are merged per sample. */
  getForPromString?(): Promise<FamilyData>;
}

/**
 * A prom-client Histogram's own state (lib/histogram.js): one entry per series with per-bucket (not
 * cumulative) counts. Read directly because building prom-client's per-bucket sample objects was
 * most of a render's cost (a classic histogram is 23 lines per series here); anything that does
 * not look like this is rendered through the public get().
 */
interface HistogramSeries {
  labels: LabelSet;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
  bucketExemplars?: Record<number, ExemplarData | null>;
}
interface HistogramState {
  upperBounds: readonly number[];
  hashMap: Record<string, HistogramSeries>;
  collect?: () => unknown;
}

function isHistogramState(m: RenderableMetric): m is RenderableMetric & HistogramState {
  const h = m as RenderableMetric & Partial<HistogramState>;
  return (
    m.type === 'histogram' &&
    Array.isArray(h.upperBounds) &&
    typeof h.hashMap === 'object' &&
    h.hashMap !== null
  );
}

/** OpenMetrics units we can name: only when the family name ends with `_<unit>`, as the spec requires. */
const UNIT_SUFFIXES = ['seconds', 'bytes', 'celsius', 'watts', 'ratio'] as const;

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  const s = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? s.replace(/"/g, '\\"') : s;
}

function formatLabelSet(labels: LabelSet): string {
  const parts: string[] = [];
  for (const name in labels) {
    const v = labels[name];
    parts.push(`${name}="${typeof v === 'number' ? formatNumber(v) : escapeLabelValue(String(v))}"`);
  }
  return parts.join(',');
}

function exemplarSuffix(ex: ExemplarData | null | undefined): string {
  if (!ex || ex.value === null || Object.keys(ex.labelSet).length === 0) return '';
  const ts = ex.timestamp !== undefined ? ` ${ex.timestamp}` : '';
  return ` # {${formatLabelSet(ex.labelSet)}} ${formatNumber(ex.value)}${ts}`;
}

/**
 * Line prefixes (`name{labels} `) per series, built once: a series' label object lives as long as
 * the series, and its name and labels never change, so each scrape only appends the numbers.
 * Keyed by prom-client's per-series entry object, which is the same object on every scrape.
 */
const seriesPrefixes = new WeakMap<object, string>();
interface HistogramPrefixes {
  buckets: string[];
  inf: string;
  sum: string;
  count: string;
}
const histogramPrefixes = new WeakMap<HistogramSeries, HistogramPrefixes>();

function prefixesOf(
  name: string,
  upperBounds: readonly number[],
  series: HistogramSeries
): HistogramPrefixes {
  let p = histogramPrefixes.get(series);
  if (!p) {
    const labels = formatLabelSet(series.labels);
    const sep = labels ? `${labels},` : '';
    const plain = labels ? `{${labels}} ` : ' ';
    p = {
      buckets: upperBounds.map((b) => `${name}_bucket{${sep}le="${formatNumber(b)}"} `),
      inf: `${name}_bucket{${sep}le="+Inf"} `,
      sum: `${name}_sum${plain}`,
      count: `${name}_count${plain}`,
    };
    histogramPrefixes.set(series, p);
  }
  return p;
}

function header(family: string, help: string, type: string, format: ExpositionFormat, out: string[]): void {
  out.push(`# HELP ${family} ${escapeHelp(help, format)}`);
  out.push(`# TYPE ${family} ${type}`);
  if (format === 'openmetrics') {
    const unit = UNIT_SUFFIXES.find((u) => family.endsWith(`_${u}`));
    if (unit) out.push(`# UNIT ${family} ${unit}`);
  }
}

/**
 * Each histogram series' rendered lines, kept until the series changes: every observation bumps
 * `count`, so an unchanged count means unchanged buckets, sum and exemplars. Between two scrapes most
 * series see no request, and a classic histogram is 23 lines per series here.
 */
const renderedSeries: Record<ExpositionFormat, WeakMap<HistogramSeries, { count: number; text: string }>> = {
  prometheus: new WeakMap(),
  openmetrics: new WeakMap(),
};

function histogramSeriesText(
  name: string,
  bounds: readonly number[],
  series: HistogramSeries,
  om: boolean
): string {
  const p = prefixesOf(name, bounds, series);
  const exemplars = om ? series.bucketExemplars : undefined;
  const lines: string[] = [];
  let cumulative = 0;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += series.bucketValues[bounds[i]] ?? 0;
    lines.push(
      exemplars ? p.buckets[i] + cumulative + exemplarSuffix(exemplars[bounds[i]]) : p.buckets[i] + cumulative
    );
  }
  // prom-client keeps the exemplar of a value above every bound under the key -1.
  lines.push(exemplars ? p.inf + series.count + exemplarSuffix(exemplars[-1]) : p.inf + series.count);
  lines.push(p.sum + formatNumber(series.sum));
  lines.push(p.count + series.count);
  return lines.join('\n');
}

async function renderHistogram(
  h: RenderableMetric & HistogramState,
  format: ExpositionFormat,
  out: string[]
): Promise<void> {
  if (h.collect) await h.collect();
  header(h.name, h.help, 'histogram', format, out);
  const cache = renderedSeries[format];
  for (const key in h.hashMap) {
    const series = h.hashMap[key];
    let rendered = cache.get(series);
    if (!rendered || rendered.count !== series.count) {
      rendered = {
        count: series.count,
        text: histogramSeriesText(h.name, h.upperBounds, series, format === 'openmetrics'),
      };
      cache.set(series, rendered);
    }
    out.push(rendered.text);
  }
}

async function renderGeneric(
  metric: RenderableMetric,
  format: ExpositionFormat,
  out: string[]
): Promise<void> {
  const data = await (metric.getForPromString ? metric.getForPromString() : metric.get());
  const om = format === 'openmetrics';
  const isCounter = data.type === 'counter';
  // OpenMetrics names a counter family without `_total` and puts the suffix on its samples.
  const family = om && isCounter ? data.name.replace(/_total$/, '') : data.name;
  const counterSample = om && isCounter ? `${family}_total` : data.name;
  header(family, data.help, data.type, format, out);
  for (const sample of data.values) {
    const name = sample.metricName ?? counterSample;
    let prefix: string;
    if (sample.sharedLabels) {
      // Summary quantiles and the like: own labels (fresh objects) after the series' labels.
      const labels = [formatLabelSet(sample.sharedLabels), formatLabelSet(sample.labels)]
        .filter(Boolean)
        .join(',');
      prefix = labels ? `${name}{${labels}} ` : `${name} `;
    } else {
      const cached = name === data.name ? seriesPrefixes.get(sample) : undefined;
      if (cached !== undefined) prefix = cached;
      else {
        const labels = formatLabelSet(sample.labels);
        prefix = labels ? `${name}{${labels}} ` : `${name} `;
        if (name === data.name) seriesPrefixes.set(sample, prefix);
      }
    }
    out.push(prefix + formatNumber(sample.value) + (om ? exemplarSuffix(sample.exemplar) : ''));
  }
}

/** The registry's metrics in the given format, collect callbacks included. */
export async function renderMetrics(registry: Registry, format: ExpositionFormat): Promise<string> {
  // prom-client's public typings stop at name/help/type; the metric objects are what it renders from.
  const metrics = registry.getMetricsAsArray() as unknown as RenderableMetric[];
  const out: string[] = [];
  for (const metric of metrics) {
    if (isHistogramState(metric)) await renderHistogram(metric, format, out);
    else await renderGeneric(metric, format, out);
  }
  out.push(format === 'openmetrics' ? '# EOF\n' : '');
  return out.join('\n');
}
