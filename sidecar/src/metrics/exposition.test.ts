import { spawnSync } from 'node:child_process';
import { Gauge, Registry } from 'prom-client';
import type { MeasurementRecord, ObservedExchange } from '../tap/record';
import { recordOf } from '@ollama-lens/testkit/records';
import { find, parseExposition, value, type ParsedSample } from '../../test/metrics/exposition-reader';
import { CONTENT_TYPES, negotiateFormat, renderMetrics } from './exposition';
import { createMetrics, registerDefaultMetrics } from './metrics';
import { MetricsRecorder } from './recorder';

/** The Accept header Prometheus 2.x sends when scraping. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('negotiateFormat', () => {
  it.each([
    [PROMETHEUS_ACCEPT, 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    ['text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['*/*', 'prometheus'],
    ['application/json', 'prometheus'],
    ['', 'prometheus'],
    [undefined, 'prometheus'],
    ['application/openmetrics-text;q=bogus, text/plain', 'prometheus'],
  ])('%s → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  it('names the content types prom-client defines', () => {
    expect(CONTENT_TYPES.prometheus).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    expect(CONTENT_TYPES.openmetrics).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
  });
});

/** A streamed chat of 800 ms with tokens and Ollama's timings. */
function rec(id: string, over: Partial<ObservedExchange> = {}): MeasurementRecord {
  return recordOf(
    {
      id,
      endpoint: '/api/chat',
      stream: true,
      duration_ms: 800,
      ttft_ms: 30,
      input_tokens: 12,
      output_tokens: 24,
      timings: {
        total_duration_ns: 790e6,
        load_duration_ns: 2e6,
        prompt_eval_duration_ns: 5e6,
        eval_count: 24,
        eval_duration_ns: 700e6,
      },
      proxy_overhead_ms: 0.3,
      ...over,
    },
    { '*': { input: 0.1, output: 0.4 } }
  );
}

function populated() {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  const metrics = createMetrics(registry, { userLabel: true });
  const recorder = new MetricsRecorder(metrics, {
    userLabel: true,
    userLabelLimit: 3,
    ollamaNumParallel: 1,
  });
  recorder.record(rec('r1', { user: 'alice' }));
  recorder.record(
    rec('r2', {
      requested_model: 'tiny2',
      endpoint: '/api/generate',
      stream: false,
      ttft_ms: undefined,
      duration_ms: 12_000,
    })
  );
  recorder.record(
    rec('r3', {
      status: 'error',
      error_type: 'model_not_found',
      requested_model: 'nope',
      output_tokens: undefined,
      timings: undefined,
    })
  );
  return { registry, metrics, recorder };
}

/** A sample's identity in Prometheus terms: OpenMetrics counters drop `_total` only from the family name. */
function key(s: ParsedSample): string {
  return `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
}

describe('renderMetrics', () => {
  it('writes the same samples in both formats; exemplars, units and # EOF only in OpenMetrics', async () => {
    const { registry } = populated();
    const textBody = await renderMetrics(registry, 'prometheus');
    const omBody = await renderMetrics(registry, 'openmetrics');
    const text = parseExposition(textBody);
    const om = parseExposition(omBody);
    // Default metrics change between renders (CPU, heap): compare our own series.
    const ours = (samples: ParsedSample[]) =>
      new Map(samples.filter((s) => s.name.startsWith('ollama_')).map((s) => [key(s), s.value]));
    expect(ours(om.samples)).toEqual(ours(text.samples));
    expect(ours(text.samples).size).toBeGreaterThan(100);

    expect(text.eof).toBe(false);
    expect(om.eof).toBe(true);
    expect(omBody.endsWith('# EOF\n')).toBe(true);
    expect(text.samples.some((s) => s.exemplar)).toBe(false);
    expect(
      om.samples
        .filter((s) => s.exemplar)
        .map((s) => s.exemplar?.labels.request_id)
        .sort()
    ).toEqual(['r1', 'r1', 'r2', 'r3', 'r3']);

    expect(text.families.get('ollama_requests_total')?.type).toBe('counter');
    expect(om.families.get('ollama_requests')?.type).toBe('counter');
    expect(om.families.has('ollama_requests_total')).toBe(false);
    expect(om.families.get('ollama_request_duration_seconds')?.unit).toBe('seconds');
    expect(om.families.get('ollama_model_memory_bytes')?.unit).toBe('bytes');
    expect(om.families.get('ollama_cost')?.unit).toBeUndefined();
    expect(text.families.get('ollama_request_duration_seconds')?.unit).toBeUndefined();
  });

  it('writes exactly the samples prom-client itself writes for the same registry', async () => {
    const { registry } = populated();
    const ours = parseExposition(await renderMetrics(registry, 'prometheus'));
    // prom-client spells NaN "Nan" (default metrics only); our own series never hold NaN.
    const reference = parseExposition((await registry.metrics()).replace(/ Nan$/gm, ' NaN'));
    const only = (samples: ParsedSample[]) =>
      new Map(samples.filter((s) => s.name.startsWith('ollama_')).map((s) => [key(s), s.value]));
    expect(only(ours.samples)).toEqual(only(reference.samples));
    expect([...ours.families.keys()]).toEqual([...reference.families.keys()]);
  });

  it('leaves prom-client able to render the registry itself (no counter renamed in place)', async () => {
    const { registry } = populated();
    await renderMetrics(registry, 'openmetrics');
    // (Not parsed: prom-client itself spells NaN "Nan", which our renderer does not copy.)
    const own = await registry.metrics();
    expect(own).toContain('# TYPE ollama_requests_total counter');
    expect(own).toContain(
      'ollama_requests_total{model="tiny:latest",endpoint="/api/chat",status="success",user="alice"} 1'
    );
  });

  it('a series rendered before shows its new values after more requests (both formats)', async () => {
    const { registry, recorder } = populated();
    const series = { model: 'tiny:latest', endpoint: '/api/chat' };
    const before = parseExposition(await renderMetrics(registry, 'openmetrics'));
    parseExposition(await renderMetrics(registry, 'prometheus'));
    recorder.record(rec('later', { duration_ms: 800 }));
    for (const format of ['openmetrics', 'prometheus'] as const) {
      const after = parseExposition(await renderMetrics(registry, format));
      expect(value(after, 'ollama_request_duration_seconds_count', series)).toBe(
        (value(before, 'ollama_request_duration_seconds_count', series) ?? 0) + 1
      );
      expect(value(after, 'ollama_request_duration_seconds_sum', series)).toBeCloseTo(
        (value(before, 'ollama_request_duration_seconds_sum', series) ?? 0) + 0.8,
        9
      );
      const bucket = find(after, 'ollama_request_duration_seconds_bucket', { ...series, le: '1' })[0];
      expect(bucket.exemplar?.labels.request_id).toBe(format === 'openmetrics' ? 'later' : undefined);
    }
  });

  it('keeps concurrent scrapes in different formats apart', async () => {
    const { registry, recorder } = populated();
    const renders = Array.from({ length: 24 }, (_, i) => {
      recorder.record(rec(`c${i}`));
      return renderMetrics(registry, i % 2 ? 'openmetrics' : 'prometheus').then((body) => ({
        om: i % 2 === 1,
        exp: parseExposition(body),
      }));
    });
    for (const { om, exp } of await Promise.all(renders)) {
      expect(exp.eof).toBe(om);
      expect(exp.samples.some((s) => s.exemplar)).toBe(om);
      expect(exp.families.has(om ? 'ollama_requests' : 'ollama_requests_total')).toBe(true);
    }
  });

  it('escapes label values and help text so they read back unchanged', async () => {
    const registry = new Registry();
    const g = new Gauge({
      name: 'test_escape',
      help: 'a "quoted" \\ help\nwith a newline',
      labelNames: ['v'],
      registers: [registry],
    });
    const tricky = 'a"b\\c\nd},e="f"';
    g.set({ v: tricky }, 1.5);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const exp = parseExposition(await renderMetrics(registry, format));
      expect(exp.samples).toEqual([{ name: 'test_escape', labels: { v: tricky }, value: 1.5 }]);
    }
    const text = await renderMetrics(registry, 'prometheus');
    expect(text).toContain('# HELP test_escape a "quoted" \\\\ help\\nwith a newline');
    const om = await renderMetrics(registry, 'openmetrics');
    expect(om).toContain('# HELP test_escape a \\"quoted\\" \\\\ help\\nwith a newline');
  });

  it('writes special float values the way both formats spell them', async () => {
    const registry = new Registry();
    const g = new Gauge({ name: 'test_special', help: 'x', labelNames: ['k'], registers: [registry] });
    g.set({ k: 'nan' }, NaN);
    g.set({ k: 'inf' }, Infinity);
    g.set({ k: 'ninf' }, -Infinity);
    const body = await renderMetrics(registry, 'prometheus');
    expect(body).toContain('test_special{k="nan"} NaN');
    expect(body).toContain('test_special{k="inf"} +Inf');
    expect(body).toContain('test_special{k="ninf"} -Inf');
  });

  it('passes `promtool check metrics` (Prometheus text, default metrics included)', async () => {
    const { registry } = populated();
    const body = await renderMetrics(registry, 'prometheus');
    expect(body.length).toBeGreaterThan(1000); // promtool accepts empty input: make sure it gets ours
    const res = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect({ status: res.status, out: `${res.stdout}${res.stderr}`.trim() }).toEqual({ status: 0, out: '' });
  });

  it('promtool would reject the prom-client defaults we remove', () => {
    const misnamed =
      '# HELP nodejs_active_handles_total x\n# TYPE nodejs_active_handles_total gauge\nnodejs_active_handles_total 3\n';
    const res = spawnSync('promtool', ['check', 'metrics'], { input: misnamed, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(`${res.stdout}${res.stderr}`).toContain('should not have "_total" suffix');
  });
});
