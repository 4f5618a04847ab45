/**
 * The message store and the analytics API through the real sidecar (buildApp) in front of the real
 * Ollama: what real requests become, every filter, sort and pagination edge, search input that could
 * break FTS5, exports, and the bearer token.
 */
import { request } from 'undici';
import { classify } from '../../src/store/classify';
import { SORTS } from '@ollama-lens/contracts';
import type { MeasurementRecord } from '../../src/tap/record';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { parseCsv } from './analytics-app';
import { round, send, settle } from './traffic';

let sidecar: TestSidecar;
let records: MeasurementRecord[];
let seqOf: Map<string, number>;
let streamedChat: string;

async function api(path: string, headers: Record<string, string> = {}) {
  const res = await request(sidecar.adminUrl + path, { headers });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body, json: () => JSON.parse(body) };
}
async function ok(path: string) {
  const res = await api(path);
  expect({ path, status: res.status, body: res.status === 200 ? '' : res.body }).toEqual({
    path,
    status: 200,
    body: '',
  });
  return res.json();
}

beforeAll(async () => {
  const [model, model2] = testOllamaModels();
  sidecar = await startSidecar(testOllamaUrl(), [
    '--batch-ms',
    '20',
    '--prices',
    `{"${model}":{"input":1,"output":2}}`,
  ]);
  let n = 0;
  for (let i = 0; i < 4; i++) {
    for (const [path, body, headers] of round(model, model2, i)) {
      const sent = await send(sidecar.url, path, body, headers);
      if (i === 0 && n === 0) streamedChat = sent.id;
      n++;
    }
  }
  await send(sidecar.url, '/api/tags', undefined);
  n++;
  await settle(sidecar, n);
  records = sidecar.records;
  const db = sidecar.openDb();
  seqOf = new Map(
    (db.prepare('SELECT id, seq FROM messages').all() as { id: string; seq: number }[]).map((r) => [
      r.id,
      r.seq,
    ])
  );
  db.close();
}, 120_000);
afterAll(() => sidecar.close());

/** What a filter and a sort mean, computed from the records the tap emitted. */
function reference(filter: (r: MeasurementRecord) => boolean, sort = 'time', order = 'desc'): string[] {
  const key = (r: MeasurementRecord): number | string =>
    ({
      time: r.started_at,
      model: r.model ?? '',
      user: r.user ?? '',
      input_tokens: r.input_tokens ?? -1,
      output_tokens: r.output_tokens ?? -1,
      tokens: (r.input_tokens ?? 0) + (r.output_tokens ?? 0),
      latency: r.duration_ms,
    })[sort]!;
  const dir = order === 'desc' ? -1 : 1;
  return records
    .filter(filter)
    .sort(
      (a, b) => (key(a) === key(b) ? seqOf.get(a.id)! - seqOf.get(b.id)! : key(a) < key(b) ? -1 : 1) * dir
    )
    .map((r) => r.id);
}

async function pages(qs: string, limit = 10): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  for (let i = 0; i < 100; i++) {
    const body = await ok(
      `/analytics/messages?limit=${limit}${qs ? `&${qs}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    );
    ids.push(...body.messages.map((m: { id: string }) => m.id));
    if (!body.next_cursor) return ids;
    expect(body.messages).toHaveLength(limit);
    cursor = body.next_cursor;
  }
  throw new Error('no end');
}

test('every request through the sidecar became exactly one stored message', async () => {
  expect(records.length).toBe(33);
  expect(new Set(seqOf.keys())).toEqual(new Set(records.map((r) => r.id)));
  expect(sidecar.app.services.store!.stats).toMatchObject({
    written: 33,
    dropped: { queue_full: 0, store_error: 0 },
  });
});

test('a streamed chat in full: prompt, answer, chunk replay, timings, derived figures', async () => {
  const rec = records.find((r) => r.id === streamedChat)!;
  const { message: m } = await ok(`/analytics/messages/${streamedChat}`);
  expect(m).toMatchObject({
    id: rec.id,
    endpoint: '/api/chat',
    model: 'tiny:latest',
    requested_model: 'tiny',
    user: 'alice',
    session: 's-alice-0',
    status: 'success',
    stream: true,
    category: 'translation',
    prompt_preview: 'Translate "good morning 0" into French.',
    input_tokens: rec.input_tokens,
    output_tokens: rec.output_tokens,
    prompt: rec.prompt,
    response: rec.response,
    capture_content: true,
    redacted: false,
  });
  expect(m.timings.eval_count).toBe(rec.timings!.eval_count);
  expect(m.chunks.length).toBe(rec.chunks!.length);
  expect(m.chunks.map((c: { text: string | null }) => c.text ?? '').join('')).toBe(rec.response!.content);
  const times = m.chunks.map((c: { t_ms: number }) => c.t_ms);
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  // The documented queue estimate: what Ollama's total_duration holds beyond its work.
  const t = rec.timings!;
  const work = t.load_duration_ns! + t.prompt_eval_duration_ns! + t.eval_duration_ns!;
  expect(m.queue_ms).toBeCloseTo(Math.max(0, t.total_duration_ns! - work) / 1e6, 6);
  expect(m.tokens_per_second).toBeCloseTo(
    rec.timings!.eval_count! / (rec.timings!.eval_duration_ns! / 1e9),
    6
  );
  expect(m.cost).toBeCloseTo((rec.input_tokens! * 1 + rec.output_tokens! * 2) / 1e6, 12);
  const { session_messages } = await ok(`/analytics/messages/${streamedChat}`);
  expect(session_messages.length).toBe(records.filter((r) => r.session === 's-alice-0').length - 1);
});

describe('filters on real traffic', () => {
  const [model, model2] = ['tiny', 'tiny2'];
  const cases: [string, string, (r: MeasurementRecord) => boolean][] = [
    // A model is stored, and matched, by its canonical name: `tiny` as requested is `tiny:latest`.
    ['model', `model=${model}`, (r) => r.model === `${model}:latest`],
    ['model by its canonical name', `model=${model}:latest`, (r) => r.requested_model === model],
    [
      'models',
      `model=${model},${model2}`,
      (r) => r.model === `${model}:latest` || r.model === `${model2}:latest`,
    ],
    ['unknown model', 'model=does-not-exist', (r) => r.model === 'does-not-exist:latest'],
    ['status error', 'status=error', (r) => r.status === 'error'],
    ['user', 'user=bob', (r) => r.user === 'bob'],
    ['session', 'session=s-bob', (r) => r.session === 's-bob'],
    [
      'category',
      'category=code&category=summarization',
      (r) => ['code', 'summarization'].includes(classify(r.prompt)),
    ],
    ['endpoint', 'endpoint=/v1/chat/completions', (r) => r.endpoint === '/v1/chat/completions'],
    [
      'input tokens',
      'min_input_tokens=10&max_input_tokens=40',
      (r) => r.input_tokens !== undefined && r.input_tokens >= 10 && r.input_tokens <= 40,
    ],
    ['output tokens', 'min_output_tokens=5', (r) => r.output_tokens !== undefined && r.output_tokens >= 5],
    ['latency', 'min_latency_ms=0&max_latency_ms=60000', (r) => r.duration_ms <= 60000],
  ];
  test.each(cases)('%s', async (_name, qs, filter) => {
    const expected = reference(filter);
    expect(await pages(qs)).toEqual(expected);
  });

  test('time range: from inclusive, to exclusive', async () => {
    const sorted = [...records].sort((a, b) => a.started_at - b.started_at);
    const from = sorted[5].started_at;
    const to = sorted[20].started_at;
    expect(await pages(`from=${from}&to=${to}`)).toEqual(
      reference((r) => r.started_at >= from && r.started_at < to)
    );
  });

  test('the filters select real subsets', () => {
    const sizes = cases.map(([, , f]) => records.filter(f).length);
    expect(sizes.filter((n) => n > 0 && n < records.length).length).toBeGreaterThanOrEqual(cases.length - 2);
  });
});

describe('sorts and pagination on real traffic', () => {
  const combos = SORTS.flatMap((s) => ['asc', 'desc'].map((o) => [s, o] as const));
  test.each(combos)('sort=%s&order=%s, pages of 10', async (sort, order) => {
    expect(await pages(`sort=${sort}&order=${order}`)).toEqual(reference(() => true, sort, order));
  });

  test('page sizes 10..100 are the bounds', async () => {
    expect((await api('/analytics/messages?limit=9')).status).toBe(400);
    expect((await api('/analytics/messages?limit=101')).status).toBe(400);
    const all = await ok('/analytics/messages?limit=100');
    expect(all.messages).toHaveLength(records.length);
    expect(all.next_cursor).toBeNull();
  });
});

describe('search', () => {
  test('finds words of real prompts and answers, with highlights', async () => {
    const { results } = await ok('/analytics/search?q=French');
    expect(results.length).toBe(4);
    for (const r of results)
      expect(r.prompt_snippet.find((s: { match: boolean }) => s.match).text).toBe('French');
    const answer = records.find((r) => r.response?.content && /\p{L}{4,}/u.test(r.response.content))!;
    const word = answer.response!.content.match(/\p{L}{4,}/u)![0];
    const hits = await ok(`/analytics/search?q=${encodeURIComponent(word)}&limit=100`);
    expect(hits.results.map((r: { id: string }) => r.id)).toContain(answer.id);
  });

  test.each([
    '"',
    '""',
    '*',
    'good*',
    '"good morning"',
    'NEAR(good morning)',
    'model:tiny',
    'French AND NOT Python',
    '-French',
    '(',
    ')',
    '()',
    '^good',
    "' OR '1'='1",
    'French; DELETE FROM messages',
    '🙂',
    'ça',
    '東京',
    '\\',
    '%',
    '_',
    '{',
    'a'.repeat(1000),
  ])('q=%j: answers 200 everywhere, never changes the data', async (q) => {
    const enc = encodeURIComponent(q);
    for (const path of [
      `/analytics/messages?q=${enc}`,
      `/analytics/search?q=${enc}`,
      `/analytics/aggregations?q=${enc}`,
      `/analytics/export?format=ndjson&q=${enc}`,
    ]) {
      expect((await api(path)).status).toBe(200);
    }
    expect((await ok('/analytics/data/summary')).messages).toBe(records.length);
  });
});

test('aggregations, variables and stats agree with the traffic', async () => {
  const a = await ok('/analytics/aggregations');
  expect(a.summary.messages).toBe(records.length);
  expect(a.summary.unique_users).toBe(3);
  expect(a.summary.error_rate).toBeCloseTo(
    records.filter((r) => r.status === 'error').length / records.length,
    12
  );
  expect(a.breakdowns.model.map((b: { key: string }) => b.key).sort()).toEqual(
    ['does-not-exist:latest', 'tiny:latest', 'tiny2:latest', null].sort()
  );
  expect(a.latency_histogram.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(
    records.length
  );
  const models = await ok('/analytics/models');
  // Canonical names, as the metric labels have them.
  expect(models.models.map((m: { name: string }) => m.name).sort()).toEqual([
    'does-not-exist:latest',
    'tiny2:latest',
    'tiny:latest',
  ]);
  const users = await ok('/analytics/users');
  expect(users.users).toEqual(
    [
      { name: 'bob', messages: records.filter((r) => r.user === 'bob').length },
      { name: 'alice', messages: records.filter((r) => r.user === 'alice').length },
      { name: 'carol', messages: records.filter((r) => r.user === 'carol').length },
    ].sort((x, y) => y.messages - x.messages || (x.name < y.name ? -1 : 1))
  );
  const current = await ok('/analytics/stats/current');
  expect(current.total_requests).toBe(records.length);
  expect(current.models_in_use.sort()).toEqual(['does-not-exist:latest', 'tiny2:latest', 'tiny:latest']);
});

test('CSV export of real messages', async () => {
  const res = await api('/analytics/export?format=csv&user=alice');
  expect(res.status).toBe(200);
  expect(res.headers['content-disposition']).toBe('attachment; filename="ollama-lens-messages.csv"');
  const rows = parseCsv(res.body);
  expect(rows.length - 1).toBe(records.filter((r) => r.user === 'alice').length);
  const prompts = rows.slice(1).map((r) => r[rows[0].indexOf('prompt')]);
  expect(prompts.some((p) => p.includes('Translate "good morning'))).toBe(true);
});
