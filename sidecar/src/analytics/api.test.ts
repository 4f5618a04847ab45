import type { MeasurementRecord } from '../tap/record';
import { analyticsApp, parseCsv, type AnalyticsApp } from '../../test/store/analytics-app';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { CSV_COLUMNS } from '../store/export-format';

const SUMMARY_KEYS = [
  'id',
  'started_at',
  'model',
  'endpoint',
  'user',
  'session',
  'status',
  'http_status',
  'category',
  'prompt_preview',
  'input_tokens',
  'output_tokens',
  'duration_ms',
  'ttft_ms',
  'cost',
  'error_type',
  'error_message',
  'host',
  'origin',
].sort();
const MESSAGE_KEYS = [
  ...SUMMARY_KEYS,
  'method',
  'path',
  'flavor',
  'stream',
  'client_address',
  'user_agent',
  'ended_at',
  'ttfb_ms',
  'request_bytes',
  'response_bytes',
  'proxy_overhead_ms',
  'prompt',
  'response',
  'options',
  'timings',
  'done_reason',
  'token_source',
  'queue_ms',
  'tokens_per_second',
  'requested_model',
  'input_cost',
  'output_cost',
  'chunks',
  'capture_content',
  'redacted',
].sort();

const NOW = Date.now();
let api: AnalyticsApp;
let records: MeasurementRecord[];

beforeAll(async () => {
  api = await analyticsApp(['--prices', '{"*":{"input":1,"output":2}}']);
  // The records carry their cost as the tap derives it, at the app's prices.
  const f = new RecordFactory({
    seed: 8,
    from: NOW - 3600_000,
    to: NOW - 1000,
    users: 5,
    prices: { '*': { input: 1, output: 2 } },
  });
  records = Array.from({ length: 300 }, () => f.next());
  records.push(
    f.next({
      id: 'formula',
      user: '=HYPERLINK("http://evil")',
      prompt: { prompt: '@SUM(A1:A9) and +1' },
      response: { content: '-2' },
    }),
    f.next({ id: 'sess-a', session: 'S-1', started_at: NOW - 5000 }),
    f.next({ id: 'sess-b', session: 'S-1', started_at: NOW - 4000 })
  );
  await api.ingest(records);
});
afterAll(() => api.close());

const get = (url: string) => api.call('GET', url);
const json = async (url: string, status = 200) => {
  const res = await get(url);
  expect({ url, status: res.statusCode, body: res.statusCode === status ? 'ok' : res.body }).toEqual({
    url,
    status,
    body: 'ok',
  });
  return res.json();
};
const expectError = async (
  url: string,
  status: number,
  pattern: RegExp,
  method: 'GET' | 'DELETE' = 'GET'
) => {
  const res = await api.call(method, url);
  expect(res.statusCode).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatch(pattern);
};

describe('GET /analytics/messages', () => {
  test('a default page: 25 newest, every contract field present', async () => {
    const body = await json('/analytics/messages');
    expect(Object.keys(body).sort()).toEqual(['messages', 'next_cursor']);
    expect(body.messages).toHaveLength(25);
    for (const m of body.messages) expect(Object.keys(m).sort()).toEqual(SUMMARY_KEYS);
    const times = body.messages.map((m: { started_at: number }) => m.started_at);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(typeof body.next_cursor).toBe('string');
  });

  test('follows the cursor to the end without repeating a message', async () => {
    const seen = new Set<string>();
    let url = '/analytics/messages?limit=100&sort=latency&order=asc';
    for (;;) {
      const body = await json(url);
      for (const m of body.messages) {
        expect(seen.has(m.id)).toBe(false);
        seen.add(m.id);
      }
      if (!body.next_cursor) break;
      url = `/analytics/messages?limit=100&sort=latency&order=asc&cursor=${encodeURIComponent(body.next_cursor)}`;
    }
    expect(seen.size).toBe(records.length);
  });

  test('repeated and comma-separated lists mean the same', async () => {
    const a = await json(
      '/analytics/messages?model=llama3.2:3b&model=mistral:7b&status=success,error&limit=100'
    );
    const b = await json(
      '/analytics/messages?model=llama3.2:3b,mistral:7b&status=success&status=error&limit=100'
    );
    expect(a).toEqual(b);
    expect(a.messages.length).toBeGreaterThan(10);
    expect(a.messages.every((m: { model: string }) => ['llama3.2:3b', 'mistral:7b'].includes(m.model))).toBe(
      true
    );
  });

  test('empty parameters are ignored', async () => {
    expect(await json('/analytics/messages?from=&model=&q=&user=&limit=')).toEqual(
      await json('/analytics/messages')
    );
  });

  test('every filter parameter is accepted', async () => {
    const url =
      `/analytics/messages?q=the&model=llama3.2:3b&status=success&user=user-0000&session=x&category=chat&endpoint=/api/chat` +
      `&from=${NOW - 3600_000}&to=${NOW}&min_input_tokens=1&max_input_tokens=9999&min_output_tokens=0&max_output_tokens=9999&min_latency_ms=0&max_latency_ms=1e9`;
    expect(await json(url)).toEqual({ messages: [], next_cursor: null });
  });

  test.each([
    ['limit=9', /limit must be >= 10/],
    ['limit=101', /limit must be <= 100/],
    ['limit=ten', /limit must be a finite decimal number/],
    ['sort=random', /sort must be equal to one of the allowed values/],
    ['order=up', /order must be equal to one of the allowed values/],
    ['status=ok', /unknown status "ok"; expected one of success, error, cancelled, timeout/],
    ['category=poetry', /unknown category "poetry"/],
    ['from=yesterday', /from must be a finite decimal number/],
    ['min_latency_ms=-1', /min_latency_ms must be >= 0/],
    ['user=a&user=b', /user must be string/],
    ['search=foo', /unknown query parameter "search"; this route accepts: q, model/],
    ['cursor=garbage', /invalid cursor/],
  ])('400 for %s', async (qs, pattern) => {
    await expectError(`/analytics/messages?${qs}`, 400, pattern);
  });

  test('a cursor used with another sort is refused', async () => {
    const { next_cursor } = await json('/analytics/messages?sort=tokens');
    await expectError(
      `/analytics/messages?sort=time&cursor=${next_cursor}`,
      400,
      /belongs to sort=tokens&order=desc/
    );
  });
});

describe('GET and DELETE /analytics/messages/:id', () => {
  test('the whole message with its session', async () => {
    const body = await json('/analytics/messages/sess-a');
    expect(Object.keys(body).sort()).toEqual(['message', 'session_messages']);
    expect(Object.keys(body.message).sort()).toEqual(MESSAGE_KEYS);
    expect(Object.keys(body.message.timings).sort()).toEqual([
      'eval_count',
      'eval_duration_ns',
      'load_duration_ns',
      'prompt_eval_count',
      'prompt_eval_duration_ns',
      'total_duration_ns',
    ]);
    expect(body.session_messages.map((m: { id: string }) => m.id)).toEqual(['sess-b']);
    const rec = records.find((r) => r.id === 'sess-a')!;
    expect(body.message.prompt).toEqual(rec.prompt);
    if (rec.chunks) expect(body.message.chunks).toHaveLength(rec.chunks.length);
  });

  test('the sizes and the proxy overhead, stored with every message, can be read back', async () => {
    for (const rec of records.slice(0, 20)) {
      const { message } = await json(`/analytics/messages/${rec.id}`);
      expect({
        id: rec.id,
        request_bytes: message.request_bytes,
        response_bytes: message.response_bytes,
      }).toEqual({
        id: rec.id,
        request_bytes: rec.request_bytes,
        response_bytes: rec.response_bytes,
      });
      if (rec.proxy_overhead_ms === undefined) expect(message.proxy_overhead_ms).toBeNull();
      else expect(message.proxy_overhead_ms).toBeCloseTo(rec.proxy_overhead_ms, 9);
    }
  });

  test('ids with awkward characters are just ids', async () => {
    await expectError('/analytics/messages/..%2F..%2Fetc', 404, /no message with id/);
    await expectError(`/analytics/messages/${encodeURIComponent("' OR 1=1 --")}`, 404, /no message with id/);
  });

  test('delete one, then it is gone', async () => {
    const id = records[10].id;
    const res = await api.call('DELETE', `/analytics/messages/${id}`);
    expect(res.json()).toEqual({ deleted: 1 });
    await expectError(`/analytics/messages/${id}`, 404, /no message/);
    await expectError(`/analytics/messages/${id}`, 404, /no message/, 'DELETE');
    records.splice(10, 1);
  });
});

describe('GET /analytics/aggregations', () => {
  test('all parts, in the contract shape', async () => {
    const a = await json(`/analytics/aggregations?from=${NOW - 3600_000}&to=${NOW}`);
    expect(Object.keys(a).sort()).toEqual([
      'breakdowns',
      'latency_histogram',
      'matched',
      'sample_size',
      'sampled',
      'scatter',
      'summary',
      'timeseries',
    ]);
    expect([a.sampled, a.matched, a.sample_size]).toEqual([false, records.length, null]);
    const figures = [
      'avg_input_tokens',
      'avg_output_tokens',
      'error_rate',
      'messages',
      'total_cost',
      'unique_users',
    ];
    expect(Object.keys(a.summary).sort()).toEqual([...figures, 'change', 'previous'].sort());
    expect(Object.keys(a.summary.previous).sort()).toEqual(figures);
    expect(Object.keys(a.summary.change).sort()).toEqual(figures);
    expect(a.summary.messages).toBe(records.length);
    expect(a.summary.total_cost).toBeGreaterThan(0);
    expect(Object.keys(a.timeseries[0]).sort()).toEqual([
      'errors',
      'input_tokens',
      'latency_p50_ms',
      'latency_p95_ms',
      'latency_p99_ms',
      'output_tokens',
      'requests',
      't',
    ]);
    expect(Object.keys(a.breakdowns).sort()).toEqual(['category', 'model', 'status', 'user']);
    expect(Object.keys(a.breakdowns.model[0]).sort()).toEqual([
      'avg_latency_ms',
      'cost',
      'errors',
      'input_tokens',
      'key',
      'messages',
      'output_tokens',
    ]);
    expect(a.latency_histogram[a.latency_histogram.length - 1]).toEqual({
      le_ms: null,
      count: expect.any(Number),
    });
    expect(Object.keys(a.scatter[0]).sort()).toEqual([
      'cost',
      'duration_ms',
      'id',
      'input_tokens',
      'model',
      'output_tokens',
    ]);
  });

  test('include picks parts; interval sets the bucket width', async () => {
    const a = await json(
      `/analytics/aggregations?include=summary,scatter&from=${NOW - 3600_000}&to=${NOW}&interval=60`
    );
    expect(a.timeseries).toEqual([]);
    expect(a.breakdowns.model).toEqual([]);
    expect(a.scatter.length).toBeGreaterThan(0);
    const b = await json(
      `/analytics/aggregations?include=timeseries&from=${NOW - 3600_000}&to=${NOW}&interval=600`
    );
    expect(b.timeseries[1].t - b.timeseries[0].t).toBe(600_000);
  });

  test('a too fine interval is widened to at most 1000 buckets, never refused', async () => {
    const a = await json(
      `/analytics/aggregations?include=timeseries&interval=1&from=${NOW - 30 * 86_400_000}&to=${NOW}`
    );
    expect(a.timeseries.length).toBeLessThanOrEqual(1001);
    expect(a.timeseries.reduce((n: number, p: { requests: number }) => n + p.requests, 0)).toBe(
      records.length
    );
  });

  test('a search term: the figures say whether they are sampled and how many matched', async () => {
    const a = await json(`/analytics/aggregations?q=the&from=${NOW - 3600_000}&to=${NOW}`);
    expect(a.sampled).toBe(false);
    expect(a.sample_size).toBeNull();
    expect(a.matched).toBe(a.summary.messages);
    expect(a.matched).toBeGreaterThan(0);
  });

  test.each([
    [`from=${NOW}&to=${NOW - 1}`, /from .* must be before to/],
    ['include=everything', /unknown include part "everything"/],
    ['interval=0', /interval must be >= 1/],
  ])('400 for %s', async (qs, pattern) => {
    await expectError(`/analytics/aggregations?${qs}`, 400, pattern);
  });
});

describe('GET /analytics/search', () => {
  test('results with segments', async () => {
    const body = await json('/analytics/search?q=the&limit=5');
    expect(body.results).toHaveLength(5);
    for (const r of body.results) {
      expect(Object.keys(r).sort()).toEqual([
        'id',
        'model',
        'prompt_snippet',
        'response_snippet',
        'started_at',
        'status',
        'user',
      ]);
      expect([...r.prompt_snippet, ...r.response_snippet].some((s: { match: boolean }) => s.match)).toBe(
        true
      );
    }
  });

  test('no query, or one that cannot match, is an empty result', async () => {
    expect(await json('/analytics/search')).toEqual({ results: [] });
    expect(await json('/analytics/search?q=%20%20')).toEqual({ results: [] });
    expect(await json('/analytics/search?q=%F0%9F%99%82')).toEqual({ results: [] });
  });

  test.each([
    '"',
    '*',
    'NEAR(a b)',
    'a:b',
    '(',
    ')',
    '-x',
    "'; DROP TABLE messages; --",
    '\u00e9t\u00e9',
    '%00',
    'x'.repeat(1000),
  ])('special input %j never fails', async (q) => {
    expect((await get(`/analytics/search?q=${encodeURIComponent(q)}`)).statusCode).toBe(200);
    expect((await get(`/analytics/messages?q=${encodeURIComponent(q)}`)).statusCode).toBe(200);
    expect((await get(`/analytics/aggregations?q=${encodeURIComponent(q)}`)).statusCode).toBe(200);
  });

  test('q longer than 1000 characters is refused', async () => {
    await expectError(
      `/analytics/search?q=${'x'.repeat(1001)}`,
      400,
      /q must NOT have more than 1000 characters/
    );
  });
});

describe('GET /analytics/export', () => {
  test('CSV: a header, one record per message, formulas neutralised', async () => {
    const res = await get('/analytics/export?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="ollama-lens-messages.csv"');
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(records.length + 1);
    const formula = rows.find((r) => r[0] === 'formula')!;
    const col = (name: (typeof CSV_COLUMNS)[number]) => formula[CSV_COLUMNS.indexOf(name)];
    expect(col('user')).toBe('\'=HYPERLINK("http://evil")');
    expect(col('prompt')).toBe("'@SUM(A1:A9) and +1");
    expect(col('response')).toBe("'-2");
  });

  test('NDJSON and JSON: whole messages (without chunks), filters applied', async () => {
    const nd = await get('/analytics/export?format=ndjson&model=mistral:7b');
    expect(nd.headers['content-disposition']).toBe('attachment; filename="ollama-lens-messages.ndjson"');
    const lines = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(records.filter((r) => r.model === 'mistral:7b').length);
    expect(Object.keys(lines[0]).sort()).toEqual(MESSAGE_KEYS.filter((k) => k !== 'chunks'));
    const js = await get('/analytics/export?format=json&model=mistral:7b');
    expect(js.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(js.body)).toEqual(lines);
    expect(JSON.parse((await get('/analytics/export?format=json&user=nobody')).body)).toEqual([]);
    expect((await get('/analytics/export?format=ndjson&user=nobody')).body).toBe('');
  });

  test('400 for an unknown format', async () => {
    await expectError(
      '/analytics/export?format=xlsx',
      400,
      /format must be equal to one of the allowed values/
    );
  });
});

describe('variables, stats and data management', () => {
  test('models, users, categories', async () => {
    const m = await json('/analytics/models');
    expect(m.models.length).toBeGreaterThan(2);
    expect(Object.keys(m.models[0]).sort()).toEqual(['messages', 'name']);
    const u = await json('/analytics/users');
    expect(u.users.reduce((n: number, x: { messages: number }) => n + x.messages, 0)).toBe(
      records.filter((r) => r.user).length
    );
    const c = await json('/analytics/categories');
    expect(c.categories.map((x: { name: string }) => x.name)).toEqual([
      'summarization',
      'translation',
      'code',
      'chat',
      'analysis',
      'other',
    ]);
  });

  test('stats/current and stats/history', async () => {
    const s = await json('/analytics/stats/current');
    expect(Object.keys(s).sort()).toEqual([
      'avg_latency_ms',
      'models_in_use',
      'total_errors',
      'total_requests',
      'total_tokens',
      'uptime_seconds',
    ]);
    expect(s.total_requests).toBe(records.length);
    const h = await json(`/analytics/stats/history?from=${NOW - 3600_000}&to=${NOW}&interval=300`);
    expect(h.metrics.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(h.metrics[0]).sort()).toEqual([
      'avg_latency_ms',
      'error_rate',
      'requests_per_minute',
      'timestamp',
      'tokens_per_second',
    ]);
    expect(h.metrics[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
  });

  test('data summary, delete before, delete all', async () => {
    const s = await json('/analytics/data/summary');
    expect(s.messages).toBe(records.length);
    expect(s.db_bytes).toBeGreaterThan(0);
    await expectError('/analytics/data/messages', 400, /must have required property 'before'/, 'DELETE');
    const cutoff = NOW - 1800_000;
    const older = records.filter((r) => r.started_at < cutoff).length;
    const del = await api.call('DELETE', `/analytics/data/messages?before=${cutoff}`);
    expect(del.json()).toEqual({ deleted: older });
    expect((await json('/analytics/data/summary')).oldest).toBeGreaterThanOrEqual(cutoff);
    const all = await api.call('DELETE', '/analytics/data/all');
    expect(all.json()).toEqual({ deleted: records.length - older });
    expect(await json('/analytics/data/summary')).toMatchObject({ messages: 0, oldest: null, newest: null });
    await api.ingest(records);
  });

  test('unknown analytics routes are 404 JSON, not forwarded', async () => {
    await expectError('/analytics/nope', 404, /no such analytics route: GET \/analytics\/nope/);
    await expectError('/analytics/messages/a/b', 404, /no such analytics route/);
  });
});
