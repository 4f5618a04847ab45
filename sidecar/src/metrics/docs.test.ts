/**
 * docs/metrics.md is the contract a dashboard author reads: it must say exactly what the registry
 * exports, in both directions, and its PromQL must parse.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { DEFAULT_METRIC_PREFIXES, METRICS, type MetricSpec } from './contract';
import { createMetrics, MISNAMED_DEFAULT_METRICS, registerDefaultMetrics } from './metrics';

const DOC_PATH = join(__dirname, '../../../docs/metrics.md');
const doc = readFileSync(DOC_PATH, 'utf8');

interface DocRow {
  name: string;
  type: string;
  labels: string[];
  optionalLabels: string[];
  unit: string;
  example: string;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

const unquote = (c: string) => /^`([^`]+)`$/.exec(c)?.[1];

/** Rows of the metric tables: | `name` | type | labels | unit | meaning | `example` | */
function metricRows(): DocRow[] {
  const rows: DocRow[] = [];
  for (const line of doc.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const c = cells(line);
    if (c.length !== 6 || !['counter', 'gauge', 'histogram'].includes(c[1])) continue;
    const name = unquote(c[0]);
    const example = unquote(c[5]);
    if (!name || !example) throw new Error(`docs/metrics.md: malformed row: ${line}`);
    const labels: string[] = [];
    const optionalLabels: string[] = [];
    for (const m of c[2].matchAll(/(\[)?`([a-z_]+)`\]?/g)) (m[1] ? optionalLabels : labels).push(m[2]);
    rows.push({ name, type: c[1], labels, optionalLabels, unit: c[3], example });
  }
  return rows;
}

/** Rows of the bucket table: | `histogram` | 0.01, 0.05, … | */
function bucketRows(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of doc.split('\n')) {
    const c = cells(line);
    if (c.length !== 2 || !line.startsWith('| `')) continue;
    const name = unquote(c[0]);
    if (!name || !/^[\d., ]+$/.test(c[1])) continue;
    out.set(
      name,
      c[1].split(',').map((s) => Number(s.trim()))
    );
  }
  return out;
}

const rows = metricRows();
const specs: MetricSpec[] = Object.values(METRICS);

describe('docs/metrics.md against the contract module', () => {
  it('documents every metric once, and nothing else', () => {
    const documented = rows.map((r) => r.name);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(specs.map((s) => s.name).sort());
  });

  it.each(specs.map((s) => [s.name, s] as const))('%s: type, labels and unit match', (_name, spec) => {
    const row = rows.find((r) => r.name === spec.name);
    expect(row).toBeDefined();
    expect({ type: row?.type, labels: row?.labels, optional: row?.optionalLabels, unit: row?.unit }).toEqual({
      type: spec.type,
      labels: [...spec.labels],
      optional: [...(spec.optionalLabels ?? [])],
      unit: spec.unit,
    });
  });

  it('lists the buckets of every histogram as declared', () => {
    const documented = bucketRows();
    const histograms = specs.filter((s) => s.type === 'histogram');
    expect([...documented.keys()].sort()).toEqual(histograms.map((s) => s.name).sort());
    for (const h of histograms) expect(documented.get(h.name)).toEqual([...(h.buckets ?? [])]);
  });
});

describe('docs/metrics.md against the live registry', () => {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  createMetrics(registry, { userLabel: true });
  const isDefault = (name: string) => DEFAULT_METRIC_PREFIXES.some((p) => name.startsWith(p));
  const registered = registry.getMetricsAsArray() as unknown as {
    name: string;
    type: string;
    labelNames: string[];
  }[];

  it('every registered metric is documented, and every documented one registered', () => {
    const ours = registered.filter((m) => !isDefault(m.name)).map((m) => m.name);
    expect(ours.sort()).toEqual(rows.map((r) => r.name).sort());
  });

  it('types and label names agree (with --user-label on)', () => {
    for (const m of registered.filter((r) => !isDefault(r.name))) {
      const row = rows.find((r) => r.name === m.name);
      expect({ name: m.name, type: m.type, labels: m.labelNames }).toEqual({
        name: m.name,
        type: row?.type,
        labels: [...(row?.labels ?? []), ...(row?.optionalLabels ?? [])],
      });
    }
  });

  it('the default process metrics are described by prefix, and the removed ones are really gone', () => {
    expect(registered.some((m) => m.name.startsWith('process_'))).toBe(true);
    expect(registered.some((m) => m.name.startsWith('nodejs_'))).toBe(true);
    for (const prefix of DEFAULT_METRIC_PREFIXES) expect(doc).toContain(`\`${prefix}*\``);
    for (const name of MISNAMED_DEFAULT_METRICS) {
      expect(registry.getSingleMetric(name)).toBeUndefined();
      expect(doc).toContain(`\`${name}\``);
    }
  });

  it("seed 003's names map onto existing series and are not exported twice", () => {
    for (const [seed, ours] of [
      ['ollama_request_latency_ms', 'ollama_request_duration_seconds'],
      ['ollama_tokens_generated_total', 'ollama_output_tokens_total'],
    ]) {
      expect(registry.getSingleMetric(seed)).toBeUndefined();
      expect(registry.getSingleMetric(ours)).toBeDefined();
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${seed}\`[^\\n]*\\|\\s*\`${ours}\`\\s*\\|`));
    }
  });
});

describe('PromQL in docs/metrics.md', () => {
  it('each example queries its own metric', () => {
    expect(rows.filter((r) => !r.example.includes(r.name)).map((r) => r.name)).toEqual([]);
  });

  it('every example and every seed query parses (promtool check rules)', () => {
    const block = /```promql\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const seedQueries = block.split('\n').filter((l) => l.trim());
    expect(seedQueries.length).toBeGreaterThanOrEqual(13);
    const exprs = [...rows.map((r) => r.example), ...seedQueries];
    const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-docs-'));
    try {
      const rules = ['groups:', '  - name: docs', '    rules:'];
      exprs.forEach((e, i) =>
        rules.push(`      - record: docs:example_${i}`, `        expr: ${JSON.stringify(e)}`)
      );
      const file = join(dir, 'rules.yml');
      writeFileSync(file, rules.join('\n') + '\n');
      const res = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect({ status: res.status, stderr: res.stderr.trim() }).toEqual({ status: 0, stderr: '' });
      expect(res.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
