/**
 * Test helper: reads Prometheus text / OpenMetrics exposition back into samples, so tests assert on
 * what a scraper would see rather than on prom-client internals. Strict: a line it cannot read throws.
 */

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: { labels: Record<string, string>; value: number; timestamp?: number };
}

export interface ParsedFamily {
  name: string;
  type?: string;
  help?: string;
  unit?: string;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  families: Map<string, ParsedFamily>;
  eof: boolean;
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw new Error(`not a number: "${s}"`);
  return n;
}

/** Reads `{a="x",b="y\"z"}` starting at `i` (at the `{`); returns the labels and the index after `}`. */
function readLabels(line: string, i: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  if (line[i] !== '{') throw new Error(`expected { in "${line}"`);
  i++;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`bad labels in "${line}"`);
    const name = line.slice(i, eq).trim();
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`bad label name "${name}" in "${line}"`);
    i = eq + 1;
    if (line[i] !== '"') throw new Error(`expected " in "${line}"`);
    i++;
    let value = '';
    while (line[i] !== '"') {
      if (i >= line.length) throw new Error(`unterminated label value in "${line}"`);
      if (line[i] === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : next;
        i += 2;
      } else {
        value += line[i++];
      }
    }
    i++;
    labels[name] = value;
    if (line[i] === ',') i++;
  }
  return { labels, end: i + 1 };
}

export function parseExposition(text: string): ParsedExposition {
  const samples: ParsedSample[] = [];
  const families = new Map<string, ParsedFamily>();
  let eof = false;
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (eof) throw new Error(`content after # EOF: "${line}"`);
    if (line === '# EOF') {
      eof = true;
      continue;
    }
    const meta = /^# (HELP|TYPE|UNIT) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]);
      if (meta[1] === 'HELP') f.help = meta[3];
      else if (meta[1] === 'TYPE') f.type = meta[3];
      else f.unit = meta[3];
      continue;
    }
    if (line.startsWith('#')) continue;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad sample line "${line}"`);
    const name = nameMatch[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') ({ labels, end: i } = readLabels(line, i));
    const rest = line.slice(i).trim();
    const [valuePart, exemplarPart] = rest.split(' # ');
    const sample: ParsedSample = { name, labels, value: parseValue(valuePart.trim().split(/\s+/)[0]) };
    if (exemplarPart !== undefined) {
      const ex = readLabels(exemplarPart, 0);
      const [v, ts] = exemplarPart.slice(ex.end).trim().split(/\s+/);
      sample.exemplar = {
        labels: ex.labels,
        value: parseValue(v),
        ...(ts !== undefined ? { timestamp: Number(ts) } : {}),
      };
    }
    samples.push(sample);
  }
  return { samples, families, eof };
}

/** Samples of one name whose labels include all of `match`. */
export function find(
  exp: ParsedExposition,
  name: string,
  match: Record<string, string> = {}
): ParsedSample[] {
  return exp.samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)
  );
}

/** The single sample of one name with exactly these labels (histogram `le` excluded from exactness), or undefined. */
export function value(
  exp: ParsedExposition,
  name: string,
  labels: Record<string, string> = {}
): number | undefined {
  const hits = exp.samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  if (hits.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${hits.length} samples`);
  return hits[0]?.value;
}
