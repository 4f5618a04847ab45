/**
 * docs/clickhouse.md's SQL, run as written on ClickHouse's engine (chDB, in process: scripts/install-chdb.sh)
 * over the OpenTelemetry ClickHouse exporter's own tables: its DDL templates at the pinned release (Go module
 * cache) rendered as the exporter renders them, and rows built as it builds them from spans that the sidecar's
 * describeSpan produced for a set of requests. Every answer is compared with the same question asked of those
 * requests in TypeScript.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeSpan, type AttributeValue } from '../../src/otel/genai-span';
import type { SpanInput } from '../../src/otel/span-input';
import { CLICKHOUSE_EXPORTER, otelcolModuleFile } from './go-modules';
import { readText } from './repo';

const PYTHON = join(
  process.env.OLLAMA_LENS_TOOLS ?? join(homedir(), '.cache/ollama-lens'),
  'chdb/bin/python'
);
const DOC = readText('docs/clickhouse.md');

/** The `<!-- sql:name -->` blocks of the doc, as written. */
const QUERIES = Object.fromEntries(
  [...DOC.matchAll(/<!-- sql:([\w-]+) -->\s*```sql\n([\s\S]*?)```/g)].map((m) => [m[1], m[2].trim()])
);

// ── The exporter's schema, rendered as clickhouseexporter v0.161.0 does ─────────────────────────────────────

/** Go's fmt.Sprintf for the verbs the templates use: %q (a quoted identifier here) and %s. */
function sprintf(template: string, ...args: string[]): string {
  let i = 0;
  return template.replace(/%[qs]/g, (verb) => (verb === '%q' ? JSON.stringify(args[i++]) : args[i++]));
}

function exporterSchema(): { ddl: string[]; insertColumns: string; histogramInsertColumns: string } {
  const template = (name: string) =>
    readFileSync(otelcolModuleFile(CLICKHOUSE_EXPORTER, `internal/sqltemplates/${name}.sql`), 'utf8');
  // config.yaml: database otel, traces_table_name otel_traces, ttl 720h, no cluster, the default engine.
  const [db, table, cluster, engine] = ['otel', 'otel_traces', '', 'MergeTree()'];
  const ttl = (field: string) => `TTL ${field} + toIntervalDay(30)`; // internal.GenerateTTLExpr(720h, field)
  const insert = template('traces_insert');
  // The INSERT's own column list, so the rows fill the columns the exporter fills.
  const columns = (sql: string) => /\(([\s\S]*?)\)\s*VALUES/.exec(sql)?.[1].replace(/\s+/g, ' ').trim() ?? '';
  return {
    ddl: [
      `CREATE DATABASE IF NOT EXISTS ${JSON.stringify(db)} ${cluster}`, // internal.CreateDatabase
      sprintf(template('traces_table'), db, table, cluster, engine, ttl('toDateTime(Timestamp)')),
      sprintf(template('traces_id_ts_lookup_table'), db, table, cluster, engine, ttl('toDateTime(Start)')),
      sprintf(template('traces_id_ts_lookup_mv'), db, table, cluster, db, table, db, table),
      // metrics.NewMetricsTable, for the histogram type (the sidecar's GenAI instruments are histograms).
      sprintf(
        template('metrics_histogram_table'),
        db,
        'otel_metrics_histogram',
        cluster,
        engine,
        ttl('toDateTime(TimeUnix)')
      ),
    ],
    insertColumns: columns(insert),
    histogramInsertColumns: columns(template('metrics_histogram_insert')),
  };
}

// ── Requests, their spans (describeSpan) and the exporter's rows ───────────────────────────────────────────

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const HOUR = 3_600_000;
const SERVICE = 'ollama-lens';
const INSTANCES = ['sidecar-a:11435', 'sidecar-b:11435'];

interface Request extends SpanInput {
  instance: string;
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  capture: boolean;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function requests(): Request[] {
  const out: Request[] = [];
  const models: [string, string | undefined][] = [
    ['tiny', 'tiny:latest'],
    ['llama3.2', 'llama3.2:latest'],
    ['nope', undefined], // not found: no response model
  ];
  const outcomes = ['success', 'success', 'success', 'error', 'timeout', 'cancelled'] as const;
  for (let k = 0; k < 36; k++) {
    const [requested, canonical] = models[k % 3];
    const status = canonical ? outcomes[Math.floor(k / 2) % outcomes.length] : 'error';
    const started = T0 + k * 173_000 + (k % 5) * 0.25; // 36 requests over ~1.7 h, some sub-ms starts
    const ok = status === 'success';
    const endpoint = k % 4 === 0 ? '/api/generate' : '/api/chat';
    out.push({
      id: `req-${hex(k, 4)}`,
      method: 'POST',
      path: endpoint,
      endpoint,
      model: canonical,
      requested_model: requested,
      session: k % 3 === 0 ? undefined : `sess-${k % 4}`,
      stream: k % 2 === 0,
      started_at: started,
      ended_at: started + 40 + ((k * 37) % 23) * 11.5,
      ttft_ms: k % 2 === 0 && ok ? 12.5 + k : undefined,
      status,
      http_status: ok ? 200 : canonical ? (status === 'error' ? 500 : 0) : 404,
      error_type: ok
        ? undefined
        : !canonical
          ? 'model_not_found'
          : status === 'error'
            ? 'upstream_error'
            : status,
      error_message: ok ? undefined : `failed: ${status}`,
      options: { temperature: 0.7, num_predict: 64 },
      done_reason: ok ? (k % 5 === 0 ? 'length' : 'stop') : undefined,
      input_tokens: ok ? 50 + k : undefined,
      output_tokens: ok ? 5 + (k % 7) : undefined,
      prompt: {
        prompt: k % 4 === 0 ? `Translate Bonjour number ${k}` : undefined,
        messages: k % 4 === 0 ? undefined : [{ role: 'user', content: `Question ${k} about Paris "quoted"` }],
        system: k === 5 ? 'You answer like a Pirate' : undefined,
      },
      response: ok ? { content: `Answer ${k}: the Eiffel tower` } : undefined,
      capture: k % 6 !== 1,
      instance: INSTANCES[k % 2],
      service: SERVICE,
      traceId: hex(0xabc000 + k, 32),
      spanId: hex(0x5000 + k, 16),
      parentSpanId: '',
    } as Request);
  }
  return out;
}

const REQUESTS = requests();

/** Rows that the queries must leave out: another service, a call to no model, a time outside the range. */
function extraRows(): Request[] {
  const base = REQUESTS[1];
  return [
    { ...base, id: 'other-service', service: 'my-app', spanId: hex(0x9001, 16) },
    { ...base, id: 'tags', endpoint: 'other', path: '/api/tags', method: 'GET', spanId: hex(0x9002, 16) },
    {
      ...base,
      id: 'yesterday',
      started_at: T0 - 20 * HOUR,
      ended_at: T0 - 20 * HOUR + 50,
      spanId: hex(0x9003, 16),
    },
  ];
}

/** The trace of one request whose caller exported its own span (parent) to the same collector. */
const CALLER = { traceId: hex(0xfeed, 32), spanId: hex(0xca11e4, 16), started: T0 + 30 * 60_000 + 200 };
function tracedRows(): Request[] {
  const base = REQUESTS[2];
  const child = {
    ...base,
    id: 'traced',
    traceId: CALLER.traceId,
    spanId: hex(0x7777, 16),
    parentSpanId: CALLER.spanId,
    // Starts later in the same second as its parent: the lookup table's End is truncated to that second.
    started_at: CALLER.started + 500,
    ended_at: CALLER.started + 650,
  };
  return [child];
}

/** pcommon.Value.AsString(), as the exporter's AttributesToMap stores every attribute. */
function asString(v: AttributeValue): string {
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}
/** DateTime64(9) text of an epoch-ms instant (sub-ms kept), UTC. */
function timestamp(ms: number): string {
  const whole = Math.floor(ms);
  const ns = Math.round((ms - whole) * 1e6);
  const iso = new Date(whole).toISOString(); // 2026-11-30T10:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(ns).padStart(6, '0')}`;
}

function exporterRow(r: Request): Record<string, unknown> {
  const d = describeSpan(r.capture ? r : { ...r, prompt: undefined, response: undefined }, {
    server: { address: 'ollama', port: 11434 },
    captureContent: r.capture,
  });
  const attributes = Object.fromEntries(Object.entries(d.attributes).map(([k, v]) => [k, asString(v)]));
  return {
    Timestamp: timestamp(r.started_at),
    TraceId: r.traceId,
    SpanId: r.spanId,
    ParentSpanId: r.parentSpanId,
    TraceState: '',
    SpanName: d.name,
    SpanKind: 'Client', // ptrace.SpanKindClient.String()
    ServiceName: r.service,
    ResourceAttributes: {
      'service.name': r.service,
      'service.version': '0.0.0-test',
      'service.instance.id': r.instance,
    },
    ScopeName: 'ollama-lens',
    ScopeVersion: '0.0.0-test',
    SpanAttributes: attributes,
    Duration: Math.round((r.ended_at - r.started_at) * 1e6),
    StatusCode: d.error === undefined ? 'Unset' : 'Error', // ptrace.StatusCode.String()
    StatusMessage: d.error ?? '',
    'Events.Timestamp': [],
    'Events.Name': [],
    'Events.Attributes': [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
  };
}

function callerRow(): Record<string, unknown> {
  return {
    ...exporterRow({ ...REQUESTS[0], service: 'my-app', capture: false }),
    Timestamp: timestamp(CALLER.started),
    TraceId: CALLER.traceId,
    SpanId: CALLER.spanId,
    SpanName: 'handle question',
    SpanKind: 'Server',
    SpanAttributes: {},
    Duration: 900_000_000,
    StatusCode: 'Unset',
  };
}

// ── GenAI token-usage series, as the exporter writes cumulative histogram points ────────────────────────────

const MINUTE = 60_000;
interface Series {
  instance: string;
  model: string;
  type: 'input' | 'output';
  /** Cumulative Sum at T0 + i minutes; a drop is a restart of the sidecar (a new StartTimeUnix). */
  sums: number[];
  metric?: string;
}
const SERIES: Series[] = [
  { instance: INSTANCES[0], model: 'tiny:latest', type: 'input', sums: [100, 180, 260, 300, 420, 500, 640] },
  { instance: INSTANCES[0], model: 'tiny:latest', type: 'output', sums: [10, 12, 15, 15, 30, 31, 40] },
  { instance: INSTANCES[1], model: 'tiny:latest', type: 'input', sums: [50, 90, 130, 160, 20, 70, 75] },
  { instance: INSTANCES[1], model: 'llama3.2:latest', type: 'input', sums: [0, 0, 400, 800, 900, 950, 1000] },
  // Another instrument with the same attributes: not token usage.
  {
    instance: INSTANCES[0],
    model: 'tiny:latest',
    type: 'input',
    sums: [9e6, 9e6, 9e6, 9e6, 9e6, 9e6, 9e6],
    metric: 'gen_ai.client.operation.duration',
  },
];
/** The window of the metrics query: samples 1…5 (T0 and T0 + 6 min are outside). */
const METRICS_WINDOW = { from: T0 + MINUTE, to: T0 + 6 * MINUTE };
const dateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function histogramRows(): Record<string, unknown>[] {
  return SERIES.flatMap((s) => {
    const restart = s.sums.findIndex((v, i) => i > 0 && v < s.sums[i - 1]);
    return s.sums.map((sum, i) => ({
      ResourceAttributes: { 'service.name': SERVICE, 'service.instance.id': s.instance },
      ResourceSchemaUrl: '',
      ScopeName: 'ollama-lens',
      ScopeVersion: '0.0.0-test',
      ScopeAttributes: {},
      ScopeDroppedAttrCount: 0,
      ScopeSchemaUrl: '',
      ServiceName: SERVICE,
      MetricName: s.metric ?? 'gen_ai.client.token.usage',
      MetricDescription: '',
      MetricUnit: '{token}',
      // genai-metrics.ts's attributes, as AttributesToMap stores them.
      Attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'ollama',
        'server.address': 'ollama',
        'server.port': '11434',
        'gen_ai.request.model': s.model,
        'gen_ai.response.model': s.model,
        'gen_ai.token.type': s.type,
      },
      StartTimeUnix: dateTime(restart > 0 && i >= restart ? T0 + (restart - 0.5) * MINUTE : T0 - HOUR),
      TimeUnix: dateTime(T0 + i * MINUTE),
      Count: i + 1,
      Sum: sum,
      BucketCounts: [],
      ExplicitBounds: [],
      'Exemplars.FilteredAttributes': [],
      'Exemplars.TimeUnix': [],
      'Exemplars.Value': [],
      'Exemplars.SpanId': [],
      'Exemplars.TraceId': [],
      Flags: 0,
      Min: 0,
      Max: 0,
      AggregationTemporality: 2, // cumulative, as the sidecar exports
    }));
  });
}

// ── Running SQL on chDB ────────────────────────────────────────────────────────────────────────────────────

type Row = Record<string, unknown>;
type Result = { rows: Row[] } | { error: string };
interface Job {
  name: string;
  sql: string;
  params: Record<string, string>;
}

/** One chDB session: the set-up statements, then each query with its parameters (SET param_…). */
const RUNNER = `
import json, sys, tempfile
from chdb import session
req = json.load(sys.stdin)
s = session.Session(tempfile.mkdtemp())
s.query("SET session_timezone = 'UTC'")
s.query("SET output_format_json_quote_64bit_integers = 0")
for st in req["setup"]:
    s.query(st)
out = {}
for q in req["queries"]:
    try:
        for k, v in q["params"].items():
            s.query("SET param_%s = '%s'" % (k, v.replace("\\\\", "\\\\\\\\").replace("'", "\\\\'")))
        r = s.query(q["sql"], "JSON")
        text = r.bytes().decode() if r.bytes() else '{"data": []}'
        out[q["name"]] = {"rows": json.loads(text)["data"]}
    except Exception as e:
        out[q["name"]] = {"error": str(e)}
json.dump(out, sys.stdout)
`;

function runOnChdb(setup: string[], jobs: Job[]): Record<string, Result> {
  const r = spawnSync(PYTHON, ['-c', RUNNER], {
    input: JSON.stringify({ setup, queries: jobs }),
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${PYTHON}: ${r.error.message} (run scripts/install-chdb.sh)`);
  if (r.status !== 0) throw new Error(`chdb runner failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Result>;
}

// ── The same questions in TypeScript ───────────────────────────────────────────────────────────────────────

interface Filters {
  from: number;
  to: number;
  models?: string[];
  statuses?: string[];
  session?: string;
  endpoint?: string;
  instance?: string;
}
const ALL: Filters = { from: T0 - HOUR, to: T0 + 3 * HOUR };

const modelOf = (r: Request): string =>
  r.status === 'success' && r.model ? r.model : (r.requested_model ?? '');
const isError = (r: Request) => r.status === 'error' || r.status === 'timeout';
const msFloor = (ms: number) => Math.floor(ms);

/** The model calls of our service in the window that pass the filters (what every query starts from). */
function matching(f: Filters, rows: Request[] = [...REQUESTS, ...extraRows(), ...tracedRows()]): Request[] {
  return rows.filter(
    (r) =>
      r.service === SERVICE &&
      r.endpoint !== 'other' &&
      r.started_at >= f.from &&
      r.started_at < f.to &&
      (!f.models?.length || f.models.includes(modelOf(r))) &&
      (!f.statuses?.length || f.statuses.includes(r.status)) &&
      (!f.session || r.session === f.session) &&
      (!f.endpoint || r.path === f.endpoint) &&
      (!f.instance || r.instance === f.instance)
  );
}

/** Query parameters as ClickHouse reads them from text (SET param_…). */
function params(f: Filters, extra: Record<string, string> = {}): Record<string, string> {
  const array = (xs?: string[]) => `[${(xs ?? []).map((x) => `'${x.replace(/'/g, "\\'")}'`).join(',')}]`;
  return {
    service: SERVICE,
    from: String(f.from),
    to: String(f.to),
    models: array(f.models),
    statuses: array(f.statuses),
    session: f.session ?? '',
    endpoint: f.endpoint ?? '',
    instance: f.instance ?? '',
    ...extra,
  };
}

// ── The tests ──────────────────────────────────────────────────────────────────────────────────────────────

const FILTER_SETS: Record<string, Filters> = {
  all: ALL,
  'first hour': { from: T0, to: T0 + HOUR },
  'one model': { ...ALL, models: ['tiny:latest'] },
  'two models': { ...ALL, models: ['llama3.2:latest', 'nope'] },
  failures: { ...ALL, statuses: ['error', 'timeout'] },
  cancelled: { ...ALL, statuses: ['cancelled'] },
  session: { ...ALL, session: 'sess-2' },
  endpoint: { ...ALL, endpoint: '/api/generate' },
  'one sidecar': { ...ALL, instance: 'sidecar-b:11435' },
  combined: {
    from: T0 + 10 * 60_000,
    to: T0 + 90 * 60_000,
    models: ['tiny:latest', 'nope'],
    session: 'sess-1',
  },
};

describe('docs/clickhouse.md SQL on the exporter’s tables (chDB 26.9)', () => {
  let results: Record<string, Result>;
  const jobs: Job[] = [];
  const add = (name: string, query: string, p: Record<string, string>) =>
    jobs.push({ name, sql: QUERIES[query], params: p });

  for (const [label, f] of Object.entries(FILTER_SETS)) {
    add(`messages ${label}`, 'messages', params(f, { limit: '100' }));
    add(`summary ${label}`, 'summary', params(f));
    add(`timeseries ${label}`, 'timeseries', params(f, { interval: '900' }));
    add(`latency ${label}`, 'latency', params(f));
    add(`top-sessions ${label}`, 'top-sessions', params(f, { limit: '10' }));
  }
  add('messages limit', 'messages', params(ALL, { limit: '10' }));
  const TERMS = [
    'eiffel',
    'BONJOUR',
    'pirate',
    'question 7 ',
    'absent-word',
    `'); DROP TABLE otel.otel_traces; --`,
    '%_',
  ];
  for (const q of TERMS) add(`search ${q}`, 'search', params(ALL, { q, limit: '100' }));
  add(
    'search one model',
    'search',
    params({ ...ALL, models: ['tiny:latest'] }, { q: 'paris', limit: '100' })
  );
  add('message', 'message', { service: SERVICE, id: REQUESTS[9].id });
  add('message failed', 'message', { service: SERVICE, id: REQUESTS[8].id });
  add('message unknown', 'message', { service: SERVICE, id: 'no-such-id' });
  add('trace', 'trace', { trace_id: CALLER.traceId });
  add('metrics-tokens', 'metrics-tokens', {
    service: SERVICE,
    from: String(METRICS_WINDOW.from),
    to: String(METRICS_WINDOW.to),
  });
  jobs.push({ name: 'a broken query fails', sql: 'SELECT NoSuchColumn FROM otel.otel_traces', params: {} });
  jobs.push({ name: 'row count', sql: 'SELECT count() AS n FROM otel.otel_traces', params: {} });

  beforeAll(() => {
    const schema = exporterSchema();
    const rows = [...REQUESTS, ...extraRows(), ...tracedRows()].map(exporterRow).concat([callerRow()]);
    const insert = `INSERT INTO otel.otel_traces (${schema.insertColumns}) FORMAT JSONEachRow\n${rows.map((r) => JSON.stringify(r)).join('\n')}`;
    const histograms = `INSERT INTO otel.otel_metrics_histogram (${schema.histogramInsertColumns}) FORMAT JSONEachRow\n${histogramRows()
      .map((r) => JSON.stringify(r))
      .join('\n')}`;
    results = runOnChdb([...schema.ddl, insert, histograms], jobs);
  }, 180_000);

  const rows = (name: string): Row[] => {
    const r = results[name];
    if (!r) throw new Error(`no result for ${name}`);
    if ('error' in r) throw new Error(`${name}: ${r.error}`);
    return r.rows;
  };

  it('the doc has every query the Explorer needs, each with the same definitions and filter', () => {
    expect(Object.keys(QUERIES).sort()).toEqual(
      [
        'filters',
        'latency',
        'message',
        'messages',
        'metrics-tokens',
        'search',
        'summary',
        'timeseries',
        'top-sessions',
        'trace',
      ].sort()
    );
    const [withPart, wherePart] = QUERIES.filters.split(/^-- SELECT.*$/m).map((s) => s.trim());
    for (const name of ['messages', 'search', 'summary', 'timeseries', 'latency', 'top-sessions']) {
      expect({ name, with: QUERIES[name].startsWith(withPart) }).toEqual({ name, with: true });
      expect({ name, where: QUERIES[name].includes(wherePart) }).toEqual({ name, where: true });
    }
  });

  it('the rows are in: the exporter’s DDL ran and a broken query is reported, not hidden', () => {
    expect(rows('row count')).toEqual([
      { n: REQUESTS.length + extraRows().length + tracedRows().length + 1 },
    ]);
    expect(results['a broken query fails']).toEqual({ error: expect.stringContaining('NoSuchColumn') });
  });

  it.each(Object.entries(FILTER_SETS))('messages, newest first, %s', (label, f) => {
    const expected = matching(f).sort(
      (a, b) => b.started_at - a.started_at || (b.spanId < a.spanId ? -1 : 1)
    );
    expect(rows(`messages ${label}`).map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(expected.length).toBeGreaterThan(0);
  });

  it('a message row carries the record’s fields', () => {
    const byId = new Map(rows('messages all').map((r) => [r.id, r]));
    for (const r of matching(ALL)) {
      expect(byId.get(r.id)).toEqual({
        id: r.id,
        started_at: msFloor(r.started_at),
        model: modelOf(r),
        endpoint: r.path,
        session: r.session ?? '',
        status: r.status,
        http_status: r.http_status,
        input_tokens: r.input_tokens ?? null,
        output_tokens: r.output_tokens ?? null,
        duration_ms: expect.closeTo(r.ended_at - r.started_at, 6),
        ttft_ms: r.ttft_ms ?? null,
        error_type: r.error_type ?? null,
        trace_id: r.traceId,
      });
    }
    expect(rows('messages limit').map((r) => r.id)).toEqual(
      rows('messages all')
        .slice(0, 10)
        .map((r) => r.id)
    );
  });

  it.each(TERMS)(
    'search %j finds the captured texts that contain it, case-insensitively, and only those',
    (q) => {
      const needle = q.toLowerCase();
      const texts = (r: Request) =>
        r.capture
          ? [r.prompt?.prompt, r.prompt?.messages?.[0]?.content, r.prompt?.system, r.response?.content]
          : [];
      const expected = matching(ALL)
        .filter((r) => texts(r).some((t) => t?.toLowerCase().includes(needle)))
        .sort((a, b) => b.started_at - a.started_at);
      expect(rows(`search ${q}`).map((r) => r.id)).toEqual(expected.map((r) => r.id));
    }
  );

  it('search finds words in prompts and answers, within the filters', () => {
    expect(rows('search eiffel').length).toBeGreaterThan(0);
    expect(rows('search eiffel').every((r) => r.in_response === 1 && r.in_prompt === 0)).toBe(true);
    expect(rows('search BONJOUR').every((r) => r.in_prompt === 1)).toBe(true);
    expect(rows('search pirate').map((r) => r.id)).toEqual([REQUESTS[5].id]);
    const expected = matching({ ...ALL, models: ['tiny:latest'] }).filter(
      (r) => r.capture && r.prompt?.messages?.[0]?.content.toLowerCase().includes('paris')
    );
    expect(
      rows('search one model')
        .map((r) => r.id)
        .sort()
    ).toEqual(expected.map((r) => r.id).sort());
  });

  it.each(Object.entries(FILTER_SETS))('summary cards, %s', (label, f) => {
    const m = matching(f);
    const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const tokens = (k: 'input_tokens' | 'output_tokens') =>
      m.map((r) => r[k]).filter((x): x is number => x !== undefined);
    const [row] = rows(`summary ${label}`);
    expect(row).toEqual({
      messages: m.length,
      sessions: new Set(m.map((r) => r.session).filter(Boolean)).size,
      avg_input_tokens:
        avg(tokens('input_tokens')) === null
          ? null
          : expect.closeTo(avg(tokens('input_tokens')) as number, 9),
      avg_output_tokens:
        avg(tokens('output_tokens')) === null
          ? null
          : expect.closeTo(avg(tokens('output_tokens')) as number, 9),
      error_rate: expect.closeTo(m.filter(isError).length / m.length, 9),
    });
  });

  it.each(Object.entries(FILTER_SETS))('requests, errors and tokens per 15 min by model, %s', (label, f) => {
    const buckets = new Map<
      string,
      {
        t: number;
        model: string;
        requests: number;
        errors: number;
        input_tokens: number;
        output_tokens: number;
      }
    >();
    for (const r of matching(f)) {
      const t = Math.floor(r.started_at / 900_000) * 900_000; // epoch-aligned, UTC
      const key = `${t} ${modelOf(r)}`;
      const b = buckets.get(key) ?? {
        t,
        model: modelOf(r),
        requests: 0,
        errors: 0,
        input_tokens: 0,
        output_tokens: 0,
      };
      b.requests += 1;
      b.errors += isError(r) ? 1 : 0;
      b.input_tokens += r.input_tokens ?? 0;
      b.output_tokens += r.output_tokens ?? 0;
      buckets.set(key, b);
    }
    const expected = [...buckets.values()].sort((a, b) => a.t - b.t || (a.model < b.model ? -1 : 1));
    expect(rows(`timeseries ${label}`)).toEqual(expected);
  });

  it.each(Object.entries(FILTER_SETS))('latency percentiles by model, %s', (label, f) => {
    const byModel = new Map<string, Request[]>();
    for (const r of matching(f)) byModel.set(modelOf(r), [...(byModel.get(modelOf(r)) ?? []), r]);
    const got = rows(`latency ${label}`);
    expect(got.map((r) => [r.model, r.messages]).sort()).toEqual(
      [...byModel].map(([m, rs]) => [m, rs.length]).sort()
    );
    for (const row of got) {
      const durations = (byModel.get(String(row.model)) ?? [])
        .map((r) => r.ended_at - r.started_at)
        .sort((a, b) => a - b);
      const [p50, p95, p99] = row.latency_ms as number[];
      // Linear interpolation between the two order statistics around each rank (ClickHouse's `quantile`).
      for (const [q, v] of [
        [0.5, p50],
        [0.95, p95],
        [0.99, p99],
      ] as const) {
        const pos = q * (durations.length - 1);
        const lo = durations[Math.floor(pos)];
        const hi = durations[Math.ceil(pos)];
        expect({ model: row.model, q, v }).toEqual({
          model: row.model,
          q,
          v: expect.closeTo(lo + (hi - lo) * (pos - Math.floor(pos)), 6),
        });
      }
    }
  });

  it.each(Object.entries(FILTER_SETS))('top sessions, %s', (label, f) => {
    const bySession = new Map<string, Request[]>();
    for (const r of matching(f))
      if (r.session) bySession.set(r.session, [...(bySession.get(r.session) ?? []), r]);
    const expected = [...bySession]
      .map(([session, rs]) => ({
        session,
        messages: rs.length,
        errors: rs.filter(isError).length,
        tokens: rs.reduce((a, r) => a + (r.input_tokens ?? 0) + (r.output_tokens ?? 0), 0),
      }))
      .sort((a, b) => b.messages - a.messages || (a.session < b.session ? -1 : 1))
      .slice(0, 10);
    expect(rows(`top-sessions ${label}`)).toEqual(expected);
  });

  it('one message by its id: its attributes, the error, the trace', () => {
    const r = REQUESTS[9];
    const [row] = rows('message');
    expect(row).toMatchObject({
      id: r.id,
      started_at: msFloor(r.started_at),
      span_name: `chat ${r.requested_model}`,
      status_code: r.status === 'success' ? 'Unset' : 'Error',
      instance: r.instance,
      trace_id: r.traceId,
      parent_span_id: '',
    });
    expect(row.attributes).toMatchObject({
      'gen_ai.request.temperature': '0.7',
      'gen_ai.request.max_tokens': '64',
      'gen_ai.provider.name': 'ollama',
      'server.address': 'ollama',
    });
    const failed = rows('message failed')[0];
    expect(failed).toMatchObject({
      id: REQUESTS[8].id,
      status_code: 'Error',
      error_message: REQUESTS[8].error_message,
    });
    expect((failed.attributes as Record<string, string>)['error.type']).toBe(REQUESTS[8].error_type);
    expect(rows('message unknown')).toEqual([]);
  });

  it('the whole trace: the caller’s span and the sidecar’s child, though the child starts after the lookup’s End second', () => {
    expect(rows('trace').map((r) => [r.service, r.span_id, r.parent_span_id])).toEqual([
      ['my-app', CALLER.spanId, ''],
      [SERVICE, tracedRows()[0].spanId, CALLER.spanId],
    ]);
  });

  it('tokens by model and type from the cumulative gen_ai.client.token.usage series in the window, restarts skipped', () => {
    const totals = new Map<string, number>();
    for (const series of SERIES.filter((x) => !x.metric)) {
      const inWindow = series.sums.filter((_, i) => {
        const t = T0 + i * MINUTE;
        return t >= METRICS_WINDOW.from && t < METRICS_WINDOW.to;
      });
      // Each series' increase: its rises between consecutive exports; a drop (restart) adds nothing.
      const increase = inWindow.slice(1).reduce((a, v, i) => a + Math.max(0, v - inWindow[i]), 0);
      const key = `${series.model} ${series.type}`;
      totals.set(key, (totals.get(key) ?? 0) + increase);
    }
    const expected = [...totals]
      .map(([key, tokens]) => ({ model: key.split(' ')[0], token_type: key.split(' ')[1], tokens }))
      .sort((a, b) => (a.model + a.token_type < b.model + b.token_type ? -1 : 1));
    expect(rows('metrics-tokens')).toEqual(expected);
  });
});
