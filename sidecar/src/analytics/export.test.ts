import { analyticsApp, parseCsv, type AnalyticsApp } from '../../test/store/analytics-app';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { CSV_COLUMNS } from '../store/export-format';

// More than two export pages (500 rows each), so every page boundary and the formats' joins show.
const N = 1234;
let api: AnalyticsApp;
let ids: string[];

beforeAll(async () => {
  api = await analyticsApp();
  const now = Date.now();
  const f = new RecordFactory({ seed: 11, from: now - 3600_000, to: now - 1000 });
  const records = Array.from({ length: N }, () => f.next());
  ids = records.map((r) => r.id).sort();
  await api.ingest(records);
});
afterAll(() => api.close());

test('CSV across pages: one header, every message once', async () => {
  const res = await api.call('GET', '/analytics/export?format=csv');
  expect(res.statusCode).toBe(200);
  const rows = parseCsv(res.body);
  expect(rows[0]).toEqual([...CSV_COLUMNS]);
  expect(
    rows
      .slice(1)
      .map((r) => r[0])
      .sort()
  ).toEqual(ids);
});

test('NDJSON and a JSON array across pages: every message once, valid as a whole', async () => {
  const nd = await api.call('GET', '/analytics/export?format=ndjson');
  const lines = nd.body
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string });
  expect(lines.map((m) => m.id).sort()).toEqual(ids);
  const arr = await api.call('GET', '/analytics/export?format=json&sort=latency&order=asc');
  const parsed = JSON.parse(arr.body) as { id: string; duration_ms: number }[];
  expect(parsed.map((m) => m.id).sort()).toEqual(ids);
  const latencies = parsed.map((m) => m.duration_ms);
  expect(latencies).toEqual([...latencies].sort((a, b) => a - b));
});

test('an export with nothing to export is still well formed', async () => {
  const csv = await api.call('GET', '/analytics/export?format=csv&user=nobody');
  expect(parseCsv(csv.body)).toEqual([[...CSV_COLUMNS]]);
  const json = await api.call('GET', '/analytics/export?format=json&user=nobody');
  expect(JSON.parse(json.body)).toEqual([]);
});
