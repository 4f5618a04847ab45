/**
 * The PostgreSQL store's own guarantees, on a real PostgreSQL 15: migrations recorded in the version
 * table (once, under concurrency; a newer database refused), the schema matching the column table and
 * the rollup list, the SQL sketch functions agreeing with sketch.ts bucket for bucket, concurrent
 * writers (two sidecars' writers on the same rollup keys) keeping every rollup row exact, search input
 * never reaching tsquery syntax, a search's count bounded, and retention by dropping whole day partitions.
 */
import { mulberry32 } from '@ollama-lens/testkit/random';
import { HOSTILE_PAYLOADS, HOSTILE_PROMPTS } from '@ollama-lens/testkit/hostile';
import { recordOf } from '@ollama-lens/testkit/records';
import { startPostgres, type PostgresServer } from '@ollama-lens/testkit/postgres';
import { CONTENT_COLUMNS, MESSAGE_COLUMNS } from '../../src/store/columns';
import { MEASURES, measuresOf, ROLLUPS } from '../../src/store/measures';
import { aggregationsPg, PG_SEARCH_COUNT_LIMIT } from '../../src/store/postgres/aggregate';
import { CONNECT_TIMEOUT_MS, rows } from '../../src/store/postgres/pool';
import { migratePg, PG_SCHEMA_VERSION, PgSchemaTooNewError } from '../../src/store/postgres/schema';
import { toTsQuery, tsvectorLiteral } from '../../src/store/postgres/search-text';
import { pairsOfBlob } from '../../src/store/postgres/sketch';
import { DAY_MS, partitionName, PgStore } from '../../src/store/postgres/store';
import { prepareRow } from '../../src/store/row';
import { tokenize, toFtsQuery } from '../../src/store/search-query';
import { merge, SparseSketch } from '../../src/store/sketch';
import type { MeasurementRecord } from '../../src/tap/record';
import { SEARCHES } from './contract/seed';

jest.setTimeout(120_000);

let pg: PostgresServer;
const stores: PgStore[] = [];

function open(url = pg.url): PgStore {
  const s = new PgStore({ url, max: 2, statementTimeoutMs: 30_000, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  stores.push(s);
  return s;
}

beforeAll(async () => {
  pg = await startPostgres();
});

afterAll(async () => {
  for (const s of stores) await s.close();
  await pg?.close();
});

beforeEach(async () => {
  const s = open();
  await s.ready();
  await s.deleteAll();
});

const T = Date.UTC(2026, 9, 1);

function records(n: number, seed: number, prefix: string, spanMs = 3 * DAY_MS): MeasurementRecord[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const started_at = T + Math.floor(rand() * spanMs);
    const duration = Math.round(rand() * 20_000 * 1000) / 1000;
    return recordOf({
      id: `${prefix}-${i}`,
      started_at,
      duration_ms: duration,
      ended_at: started_at + Math.round(duration),
      requested_model: ['tiny', 'qwen2.5:0.5b'][i % 2],
      user: ['u1', 'u2', undefined][i % 3],
      status: rand() < 0.2 ? 'error' : 'success',
      input_tokens: Math.floor(rand() * 100),
      output_tokens: rand() < 0.5 ? undefined : Math.floor(rand() * 100),
      prompt: { prompt: `prompt ${i}` },
      response: { content: 'ok' },
    });
  });
}

const prepared = (rs: MeasurementRecord[], host = 'h') =>
  rs.map((r) => prepareRow(r, { captureContent: true, host }));

/**
 * Every rollup row compared with the same rollup computed here from the stored messages (measures.ts
 * measuresOf, sketches as sketch.ts builds them): the differences, [] when exact.
 */
async function rollupMismatches(s: PgStore): Promise<string[]> {
  const msgs = await rows<{
    started_at: number;
    model: string | null;
    category: string;
    status: string;
    endpoint: string;
    user: string | null;
    host: string | null;
    input_tokens: number | null;
    output_tokens: number | null;
    cost: number | null;
    duration_ms: number;
  }>(
    s.pool,
    'SELECT started_at, model, category, status, endpoint, "user", host, input_tokens, output_tokens, cost, duration_ms FROM messages'
  );
  const out: string[] = [];
  for (const { table, slice, tier } of ROLLUPS) {
    const want = new Map<string, { v: number[]; sketch: SparseSketch }>();
    for (const m of msgs) {
      const key = JSON.stringify([
        Math.floor(m.started_at / tier.ms) * tier.ms,
        ...slice.dims.map((d) => m[d] ?? ''),
      ]);
      let acc = want.get(key);
      if (!acc) want.set(key, (acc = { v: slice.measures.map(() => 0), sketch: new SparseSketch() }));
      const v = measuresOf(m);
      slice.measures.forEach((name, j) => (acc.v[j] += v[MEASURES.indexOf(name)]));
      acc.sketch.add(m.duration_ms);
    }
    const got = await rows<Record<string, string | number | number[]>>(s.pool, `SELECT * FROM ${table}`);
    if (got.length !== want.size) out.push(`${table}: ${got.length} rows, ${want.size} expected`);
    for (const r of got) {
      const key = JSON.stringify([r.t, ...slice.dims.map((d) => r[d])]);
      const w = want.get(key);
      if (!w) {
        out.push(`${table} ${key}: not expected`);
        continue;
      }
      slice.measures.forEach((name, j) => {
        if (Math.abs((r[name] as number) - w.v[j]) > 1e-6)
          out.push(`${table} ${key} ${name}: ${r[name]} ≠ ${w.v[j]}`);
      });
      if (slice.sketch && JSON.stringify(r.sketch) !== JSON.stringify(pairsOfBlob(w.sketch.encode())))
        out.push(`${table} ${key} sketch: ${JSON.stringify(r.sketch)}`);
    }
  }
  return out;
}

test('migrations: recorded once in the version table, also when several sidecars start together; a newer database is refused', async () => {
  await Promise.all([open().ready(), open().ready(), open().ready()]);
  const versions = await rows<{ version: number }>(
    stores[0].pool,
    'SELECT version FROM lens_schema_version ORDER BY version'
  );
  expect(versions.map((v) => v.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
  expect(await migratePg(stores[0].pool)).toEqual({ from: PG_SCHEMA_VERSION, to: PG_SCHEMA_VERSION });

  await stores[0].pool.query('INSERT INTO lens_schema_version (version) VALUES ($1)', [
    PG_SCHEMA_VERSION + 1,
  ]);
  try {
    await expect(migratePg(stores[0].pool)).rejects.toThrow(PgSchemaTooNewError);
  } finally {
    await stores[0].pool.query('DELETE FROM lens_schema_version WHERE version > $1', [PG_SCHEMA_VERSION]);
  }
});

test('migration 3 backfills the host rollups from the messages already stored', async () => {
  const s = open();
  await s.ready();
  await s.insert(prepared(records(120, 8, 'a'), 'alpha'));
  await s.insert(prepared(records(80, 9, 'b'), 'beta'));
  // Back to version 2, as a sidecar of the previous release left the database.
  await s.pool.query(
    'DROP TABLE rollup_host_minute, rollup_host_minute10, rollup_host_hour, rollup_host_day; ' +
      'DELETE FROM lens_schema_version WHERE version = 3'
  );
  expect(await migratePg(s.pool)).toEqual({ from: 2, to: PG_SCHEMA_VERSION });
  expect(await rollupMismatches(s)).toEqual([]);
  const day = await rows<{ host: string; n: number }>(
    s.pool,
    'SELECT host, sum(messages) AS n FROM rollup_host_day GROUP BY host ORDER BY host'
  );
  expect(day).toEqual([
    { host: 'alpha', n: 120 },
    { host: 'beta', n: 80 },
  ]);
});

test('the schema has the column table’s columns and the rollup list’s tables', async () => {
  const s = open();
  await s.ready();
  const cols = await rows<{ name: string }>(
    s.pool,
    "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'messages' AND table_schema = current_schema() ORDER BY ordinal_position"
  );
  expect(cols.map((c) => c.name).sort()).toEqual(
    ['seq', 'tokens', 'search', ...MESSAGE_COLUMNS, ...CONTENT_COLUMNS].sort()
  );
  for (const { table, slice } of ROLLUPS) {
    const rc = await rows<{ name: string }>(
      s.pool,
      'SELECT column_name AS name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()',
      [table]
    );
    expect({ table, cols: rc.map((c) => c.name).sort() }).toEqual({
      table,
      cols: ['t', ...slice.dims, ...slice.measures, ...(slice.sketch ? ['sketch'] : [])].sort(),
    });
  }
});

test('sketch_merge and sketch_sum in SQL agree with sketch.ts bucket for bucket (negative counts too)', async () => {
  const s = open();
  await s.ready();
  const rand = mulberry32(7);
  const sketches = Array.from({ length: 40 }, () => {
    const sk = new SparseSketch();
    const n = Math.floor(rand() * 30);
    for (let i = 0; i < n; i++) sk.add(Math.exp(rand() * 20) / 100, rand() < 0.1 ? -1 : 1);
    return sk.encode();
  });
  for (let i = 0; i + 1 < sketches.length; i++) {
    const [a, b] = [sketches[i], sketches[i + 1]];
    const r = await rows<{ m: number[] }>(s.pool, 'SELECT sketch_merge(?::integer[], ?::integer[]) AS m', [
      pairsOfBlob(a),
      pairsOfBlob(b),
    ]);
    expect(r[0].m).toEqual(pairsOfBlob(merge(a, b)));
  }
  const all = sketches.reduce((acc, b) => merge(acc, b), Buffer.alloc(0));
  const summed = await rows<{ m: number[] }>(
    s.pool,
    'SELECT sketch_sum(x.s) AS m FROM (SELECT json_array_elements_text(?::json)::integer[] AS s) x',
    [JSON.stringify(sketches.map((b) => `{${pairsOfBlob(b).join(',')}}`))]
  );
  expect(summed[0].m).toEqual(pairsOfBlob(all));
  // a - a is empty (zero counts are left out), as retention's subtraction relies on.
  const negated = pairsOfBlob(merge(null, sketches[3], -1));
  const zero = await rows<{ m: number[] }>(s.pool, 'SELECT sketch_merge(?::integer[], ?::integer[]) AS m', [
    pairsOfBlob(sketches[3]),
    negated,
  ]);
  expect(zero[0].m).toEqual([]);
});

test('two writers on the same rollup keys at once: every rollup row stays exact', async () => {
  const a = open();
  const b = open();
  await Promise.all([a.ready(), b.ready()]);
  // Two hours, two models, three users: every batch of both writers touches the same keys.
  const ra = records(600, 1, 'a', 2 * 3_600_000);
  const rb = records(600, 2, 'b', 2 * 3_600_000);
  const batches = (rs: MeasurementRecord[]) =>
    Array.from({ length: 12 }, (_, i) => prepared(rs.slice(i * 50, i * 50 + 50)));
  const [wa, wb] = await Promise.all(
    [a, b].map(async (s, k) => {
      let n = 0;
      for (const batch of batches(k === 0 ? ra : rb)) n += await s.insert(batch);
      return n;
    })
  );
  expect([wa, wb]).toEqual([600, 600]);
  // The same records again are duplicates: nothing new, nothing counted twice.
  expect(await a.insert(prepared(ra.slice(0, 50)))).toBe(0);
  expect(await rollupMismatches(a)).toEqual([]);
  const total = await rows<{ n: number }>(a.pool, 'SELECT sum(messages) AS n FROM rollup_total_day');
  expect(total[0].n).toBe(1200);
});

test('search input is never tsquery syntax: hostile and odd inputs run as plain words', async () => {
  const s = open();
  await s.ready();
  const hostile = [
    ...HOSTILE_PAYLOADS,
    ...HOSTILE_PROMPTS,
    ...SEARCHES,
    "a'b",
    'x\\y',
    "it's",
    'café:* & !b | (c)',
  ];
  await s.insert(
    prepared(
      hostile.map((text, i) => recordOf({ id: `h-${i}`, started_at: T + i, prompt: { prompt: text } }))
    )
  );
  for (const q of hostile) {
    const fts = toFtsQuery(q);
    const tsq = toTsQuery(fts);
    // Input that can match nothing renders no query at all; anything else parses as quoted lexemes, and runs.
    expect({ q, rendered: tsq !== null }).toEqual({ q, rendered: fts.kind === 'match' });
    if (tsq === null) continue;
    expect(tsq).toMatch(/^\(?'/);
    const r = await rows<{ n: number }>(
      s.pool,
      'SELECT count(*) AS n FROM messages m WHERE m.search @@ ?::tsquery',
      [tsq]
    );
    expect(r[0].n).toBeGreaterThanOrEqual(1);
  }
  // Each stored text finds its own message by its words (the same tokens on both sides).
  const hit = await rows<{ id: string }>(s.pool, 'SELECT id FROM messages m WHERE m.search @@ ?::tsquery', [
    toTsQuery(toFtsQuery("it's")),
  ]);
  expect(hit.map((h) => h.id)).toContain(`h-${hostile.indexOf("it's")}`);
  expect(tsvectorLiteral(['', '   '])).toBeNull();
});

test('the search vector holds the tokenizer’s words at their positions, as PostgreSQL reads it', async () => {
  const s = open();
  await s.ready();
  const long = (c: string, n: number) => c.repeat(n);
  const cases: [string, string][] = [
    ['The cat sat; the CAT ran. Ünïcödé straße ΑΒΓ 日本語 x2 2x', 'the cat, again: café CAFE'],
    // A word just short of and just past PostgreSQL's 2046-byte lexeme limit (2 bytes per é): the first
    // is kept, the second left out, and both still take their position.
    [`${long('é', 1023)} ${long('é', 1024)} end`, ''],
    [`${long('a', 2046)} ${long('b', 2047)} end`, 'it’s'],
  ];
  for (const texts of cases) {
    const expected = new Map<string, number[]>();
    let pos = 0;
    for (const text of texts) {
      for (const t of tokenize(text)) {
        pos += 1;
        if (Buffer.byteLength(t.norm) > 2046) continue;
        const list = expected.get(t.norm) ?? [];
        if (list[list.length - 1] !== pos) list.push(pos);
        expected.set(t.norm, list);
      }
      pos += 2;
    }
    const got = await rows<{ lexeme: string; positions: number[] }>(
      s.pool,
      'SELECT lexeme, positions FROM unnest(?::tsvector)',
      [tsvectorLiteral(texts)]
    );
    expect(new Map(got.map((r) => [r.lexeme, r.positions]))).toEqual(expected);
  }
});

test('a search’s matches are counted exactly below PG_SEARCH_COUNT_LIMIT, and reported as “more” from there', async () => {
  const s = open();
  await s.ready();
  const base = records(10, 5, 'c');
  await s.insert(prepared(base));
  // Copies in SQL (new ids, the same words): the batch path would take minutes for this many.
  const cols = (
    await rows<{ c: string }>(
      s.pool,
      "SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'messages' " +
        "AND column_name NOT IN ('seq', 'id') AND is_generated = 'NEVER' ORDER BY ordinal_position"
    )
  )
    .map((r) => `"${r.c}"`)
    .join(', ');
  const copy = (tag: string, n: number) =>
    s.pool.query(
      `INSERT INTO messages (id, ${cols}) SELECT id || '-${tag}' || g, ${cols} ` +
        `FROM messages, generate_series(1, ${n}) g WHERE id ~ '^c-[0-9]+$'`
    );
  const matched = async () =>
    (
      await aggregationsPg(
        s.pool,
        { q: 'prompt', from: T - 1, to: T + 3 * DAY_MS },
        { sampleLimit: 5, include: ['summary'] },
        T + 3 * DAY_MS
      )
    ).matched;
  await copy('a', PG_SEARCH_COUNT_LIMIT / base.length - 2);
  expect(await matched()).toBe(PG_SEARCH_COUNT_LIMIT - base.length);
  await copy('b', 1);
  expect(await matched()).toBeNull();
});

test('retention drops whole day partitions with their rollup periods; the rollups stay exact', async () => {
  const s = open();
  await s.ready();
  const rs = records(300, 3, 'r');
  await s.insert(prepared(rs));
  const days = await s.partitionDays();
  expect(days.slice(0, 3)).toEqual([T, T + DAY_MS, T + 2 * DAY_MS]);
  const firstDay = rs.filter((r) => r.started_at < T + DAY_MS).length;
  expect(await s.dropDaysBefore(T + DAY_MS)).toBe(firstDay);
  expect(await s.partitionDays()).not.toContain(T);
  const gone = await rows<{ r: string | null }>(s.pool, 'SELECT to_regclass(?) AS r', [partitionName(T)]);
  expect(gone[0].r).toBeNull();
  expect(await rollupMismatches(s)).toEqual([]);
  // A cut-off mid-day: the whole days before it go by partition, the rest of its day row by row.
  const cut = T + DAY_MS + 12 * 3_600_000 + 123;
  expect(await s.deleteBefore(cut)).toBe(
    rs.filter((r) => r.started_at >= T + DAY_MS && r.started_at < cut).length
  );
  expect(await rollupMismatches(s)).toEqual([]);
  // A later record for a dropped day gets its partition back.
  expect(await s.insert(prepared([recordOf({ id: 'late', started_at: T + 5 })]))).toBe(1);
  expect(await rollupMismatches(s)).toEqual([]);
});

test('retention by size drops the oldest days while over the limit, never the newest', async () => {
  const s = open();
  await s.ready();
  await s.insert(prepared(records(300, 4, 's')));
  const days = await s.partitionDays();
  expect(days.length).toBeGreaterThanOrEqual(3);
  // A limit far above the store: nothing goes.
  expect(await s.dropOldestDaysOver(1024 ** 4)).toBe(0);
  expect(await s.partitionDays()).toEqual(days);
  // A limit below anything: every day but the newest goes, and the rollups follow.
  const newest = days[days.length - 1];
  const left = await rows<{ n: number }>(s.pool, 'SELECT count(*) AS n FROM messages WHERE started_at >= ?', [
    newest,
  ]);
  expect(await s.dropOldestDaysOver(0)).toBe(300 - left[0].n);
  expect(await s.partitionDays()).toEqual([newest]);
  expect(await rollupMismatches(s)).toEqual([]);
  expect(await s.usedBytes()).toBeGreaterThan(0);
});
