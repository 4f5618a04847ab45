/**
 * The store contract: SQLite and PostgreSQL (a real PostgreSQL 15, testkit/postgres.ts) are seeded with
 * the same records through the writer threads, and every named read query (READ_QUERIES, enumerated:
 * a query added later without cases here or a PostgreSQL version fails this suite) is asked the same
 * questions through the reader threads, over a range of filters. Each answer must be what the seed
 * says where that is known (counts, hosts, search hits, hostile searches finding nothing), and
 * PostgreSQL's must equal SQLite's (floating sums to 1e-9 relative: the two add in different orders).
 * Then both delete the same messages (by day, by id) and must still agree: the rollups follow.
 */
import { CATEGORIES, type MessageFilters } from '@ollama-lens/contracts';
import { postgresAvailable, startPostgres, type PostgresServer } from '@ollama-lens/testkit/postgres';
import type { ExportChunk } from '../../../src/store/export-format';
import { PG_READ_QUERIES } from '../../../src/store/postgres/read-queries';
import type { QueryArgs, QueryName } from '../../../src/store/threads/protocol';
import { READ_QUERIES } from '../../../src/store/threads/reader-thread';
import { openBackend, type Backend } from './backends';
import { DAY, SEARCHES, SEED_COUNT, seedRecords, T0 } from './seed';

jest.setTimeout(240_000);

const seeded = seedRecords();
const half = SEED_COUNT / 2;
const NOW = T0 + 3 * DAY + 7_654_321;
const ALL = { from: T0 - DAY, to: T0 + 5 * DAY };

/** Windows: everything, whole days, and edges in the middle of minutes, hours and days. */
const WINDOWS = [
  ALL,
  { from: T0, to: T0 + DAY },
  { from: T0 + 3_723_456, to: T0 + DAY + 1_234_567 },
  { from: T0 + DAY + 59_999, to: T0 + DAY + 61_001 },
  { from: T0 + 2 * DAY - 3_600_000 + 17, to: T0 + 2 * DAY + 7_200_000 + 3 },
];

const FILTERS: MessageFilters[] = [
  {},
  { model: ['tiny'] },
  { model: ['tiny:latest', 'llama3.2:1b'] },
  { status: ['error', 'timeout'] },
  { category: ['code'] },
  { category: ['chat', 'translation'], status: ['success'] },
  { endpoint: '/api/chat' },
  { user: 'ana' },
  { session: 's-1' },
  { host: ['alpha'] },
  { host: ['beta'], model: ['tiny'] },
  { min_latency_ms: 1000, max_latency_ms: 30_000 },
  { min_output_tokens: 100 },
  ...SEARCHES.map((q) => ({ q })),
  { q: 'python', user: 'bo' },
  { q: 'york', host: ['beta'] },
];

/** Every filter over every window, plus the filters alone (the default window, ending at NOW). */
const WINDOWED: MessageFilters[] = WINDOWS.flatMap((w) => FILTERS.map((f) => ({ ...f, ...w })));

const ids = seeded.records.map((r) => r.id);

/**
 * The questions per query. Typed by READ_QUERIES: a new query does not compile until it has cases
 * (and the enumeration test below fails at run time if it is left out anyway).
 */
const CASES: { [K in QueryName]: QueryArgs<K>[] } = {
  aggregations: [
    ...WINDOWED.map((f): QueryArgs<'aggregations'> => [f, {}, NOW]),
    ...WINDOWS.slice(0, 3).flatMap((w) =>
      [60, 300, 3600, 86_400, 7].map((intervalS): QueryArgs<'aggregations'> => [{ ...w }, { intervalS }, NOW])
    ),
    [{ from: T0, to: T0 + 3_000_000 }, { intervalS: 10, include: ['timeseries'] }, NOW],
    [{}, { include: ['summary', 'scatter'] }, NOW],
    [{ ...ALL, q: 'python' }, { sampleLimit: 7 }, NOW],
    [{ ...ALL, category: ['code'] }, { sampleLimit: 9 }, NOW],
    // Every sample path cut short (counted or not): user, search with another filter, search alone.
    [{ ...ALL, user: 'ana' }, { sampleLimit: 5 }, NOW],
    [{ ...ALL, q: 'york', model: ['tiny'] }, { sampleLimit: 4 }, NOW],
    [{ ...ALL, q: 'cafe' }, { sampleLimit: 3, include: ['scatter', 'summary'] }, NOW],
  ],
  currentStats: FILTERS.map((f): QueryArgs<'currentStats'> => [{ ...f, ...ALL }, 42, NOW]),
  history: [
    ...FILTERS.map((f): QueryArgs<'history'> => [{ ...f, ...WINDOWS[2] }, 3600, NOW]),
    [{ ...ALL }, undefined, NOW],
  ],
  dataSummary: [[]],
  listMessages: [
    ...FILTERS.flatMap((f) =>
      (['time', 'latency', 'model', 'user', 'tokens', 'input_tokens', 'output_tokens'] as const).map(
        (sort, i): QueryArgs<'listMessages'> => [{ ...f }, { sort, order: i % 2 ? 'asc' : 'desc', limit: 25 }]
      )
    ),
    [
      { ...WINDOWS[2], model: ['tiny'] },
      { sort: 'time', order: 'asc', limit: 500 },
    ],
  ],
  getMessage: [[ids[0]], [ids[17]], [ids[SEED_COUNT - 1]], ['no-such-id']],
  search: [
    ...SEARCHES.map((q): QueryArgs<'search'> => [{ q }, 50]),
    [{ q: 'python', ...WINDOWS[2] }, 50],
    [{ q: 'york', model: ['tiny'] }, 3],
  ],
  values: (['model', 'user', 'category', 'host'] as const).flatMap((dim) =>
    [{}, WINDOWS[2], { model: ['tiny'] }, { q: 'python' }, { host: ['alpha'] }].map(
      (f): QueryArgs<'values'> => [dim, { ...f }]
    )
  ),
  exportChunk: (['csv', 'ndjson', 'json'] as const).flatMap((format) =>
    [{}, { q: 'cafe' }, { model: ['tiny'], ...WINDOWS[2] }].map((f): QueryArgs<'exportChunk'> => [
      { ...f },
      'time',
      'asc',
      format,
      null,
      0,
      40,
    ])
  ),
  events: [[{ from: T0 - DAY, to: T0 + 5 * DAY }], [{ from: T0, to: T0 + DAY, types: ['model_loaded'] }]],
  statusWindows: [
    [T0 + DAY + 1_800_000, 15],
    [T0 + 2 * DAY, 60],
  ],
  modelUsage: [[ALL], [WINDOWS[2]], [{ from: T0 + DAY + 59_999, to: T0 + DAY + 61_001 }]],
};

/**
 * The first difference between two answers ('' when none): numbers that are not whole may differ by
 * 1e-9 relative (floating sums added in another order), db_bytes is each engine's own.
 */
function difference(a: unknown, b: unknown, at = '$'): string {
  if (typeof a === 'number' && typeof b === 'number') {
    const close =
      Number.isInteger(a) && Number.isInteger(b)
        ? a === b
        : Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    return close ? '' : `${at}: SQLite ${a}, PostgreSQL ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at}: SQLite ${a.length} items, PostgreSQL ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'db_bytes'));
    for (const k of keys) {
      const d = difference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${at}.${k}`
      );
      if (d) return d;
    }
    return '';
  }
  return Object.is(a, b) ? '' : `${at}: SQLite ${JSON.stringify(a)}, PostgreSQL ${JSON.stringify(b)}`;
}

let pg: PostgresServer;
let sqlite: Backend;
let postgres: Backend;

/** Seeds a backend the way the sidecar does: first half by alpha, second by beta, then the event log. */
async function seed(b: Backend): Promise<void> {
  for (const r of seeded.records.slice(0, half)) b.alpha.writer.record(r);
  await b.alpha.flush();
  for (const r of seeded.records.slice(half)) b.beta.writer.record(r);
  await b.beta.flush();
  b.alpha.writer.writeEvents([
    { at: T0 + 1000, type: 'model_loaded', model: 'tiny:latest', details: { digest: 'abc' } },
    { at: T0 + DAY + 5, type: 'ollama_up', model: null, details: {} },
  ]);
  await b.alpha.flush();
}

beforeAll(async () => {
  if (!postgresAvailable()) throw new Error('PostgreSQL 15 is not installed: run scripts/setup.sh');
  pg = await startPostgres();
  [sqlite, postgres] = await Promise.all([openBackend('sqlite', pg.url), openBackend('postgres', pg.url)]);
  await Promise.all([seed(sqlite), seed(postgres)]);
});

afterAll(async () => {
  await Promise.all([sqlite?.close(), postgres?.close()]);
  await pg?.close();
});

/** Asks both backends every case of every query; returns how many answers were compared. */
async function compareAll(): Promise<number> {
  let compared = 0;
  for (const name of Object.keys(READ_QUERIES) as QueryName[]) {
    for (const args of CASES[name] as unknown[][]) {
      const ask = (b: Backend) =>
        (b.query as (n: QueryName, ...a: unknown[]) => Promise<unknown>)(name, ...args).catch(
          (err: Error) => `error: ${err.message}`
        );
      const [a, b] = await Promise.all([ask(sqlite), ask(postgres)]);
      // Every case is a valid question: an error on both sides would compare equal and prove nothing.
      expect({ query: name, args, sqlite: typeof a === 'string' ? a : 'answered' }).toEqual({
        query: name,
        args,
        sqlite: 'answered',
      });
      expect({ query: name, args, difference: difference(a, b) }).toEqual({
        query: name,
        args,
        difference: '',
      });
      compared++;
    }
  }
  return compared;
}

describe('store contract: SQLite and PostgreSQL', () => {
  test('every named read query has a PostgreSQL version and cases here', () => {
    for (const name of Object.keys(READ_QUERIES)) {
      expect({ name, pg: typeof (PG_READ_QUERIES as Record<string, unknown>)[name] }).toEqual({
        name,
        pg: 'function',
      });
      expect({ name, cases: (CASES as Record<string, unknown[]>)[name]?.length ?? 0 }).not.toEqual({
        name,
        cases: 0,
      });
    }
    expect(Object.keys(PG_READ_QUERIES).sort()).toEqual(Object.keys(READ_QUERIES).sort());
  });

  test.each(['sqlite', 'postgres'] as const)(
    '%s: the seed is all there, by host and by search',
    async (which) => {
      const b = which === 'sqlite' ? sqlite : postgres;
      const all = await b.query('aggregations', { ...ALL }, { include: ['summary'] }, NOW);
      expect(all.summary.messages).toBe(SEED_COUNT);
      expect((await b.query('dataSummary')).messages).toBe(SEED_COUNT);
      const hosts = await b.query('values', 'host', {});
      expect(hosts).toEqual([
        { name: 'alpha', messages: half },
        { name: 'beta', messages: half },
      ]);
      const alpha = await b.query(
        'listMessages',
        { ...ALL, host: ['alpha'] },
        { sort: 'time', order: 'asc', limit: 1000 }
      );
      expect(alpha.messages.map((m) => m.id)).toEqual(ids.slice(0, half));
      expect(new Set(alpha.messages.map((m) => m.host))).toEqual(new Set(['alpha']));
      // Prompt 2 says "Python", prompt 6 "python" and "pythonic": a word search finds both, a prefix too.
      const python = seeded.promptCounts[2] + seeded.promptCounts[6];
      expect(
        (await b.query('aggregations', { ...ALL, q: 'python' }, { include: ['summary'] }, NOW)).summary
          .messages
      ).toBe(python);
      expect((await b.query('search', { q: 'pyth*' }, 1000)).length).toBe(python);
      // "new york" as a phrase: prompt 0 only (prompt 5 has both words, not next to each other).
      expect((await b.query('search', { q: '"new york"' }, 1000)).length).toBe(seeded.promptCounts[0]);
      // Hostile input is text: it matches nothing and breaks nothing.
      for (const q of ["' OR 1=1 --", '-- ; DROP TABLE messages; --', 'NEAR(python sorts)']) {
        const hits = await b.query('search', { q }, 1000);
        expect({ q, hits: hits.length }).toEqual({ q, hits: 0 });
      }
      expect((await b.query('dataSummary')).messages).toBe(SEED_COUNT);
      const events = await b.query('events', { from: T0 - DAY, to: T0 + 5 * DAY });
      expect(events.events.map((e) => e.type)).toEqual(['model_loaded', 'ollama_up']);
      const categories = await b.query('values', 'category', {});
      expect(categories.map((c) => c.name)).toEqual([...CATEGORIES]);
    }
  );

  test('PostgreSQL answers every query as SQLite does', async () => {
    expect(await compareAll()).toBeGreaterThan(500);
  });

  test('keyset pages walk every message once, the same on both', async () => {
    for (const b of [sqlite, postgres]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await b.query(
          'listMessages',
          { ...ALL },
          { sort: 'latency', order: 'desc', limit: 37, cursor }
        );
        seen.push(...page.messages.map((m) => m.id));
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(new Set(seen).size).toBe(SEED_COUNT);
    }
  });

  test('an export walks every message once by its cursors, page for page the same on both', async () => {
    const pages: string[][] = [];
    for (const b of [sqlite, postgres]) {
      const texts: string[] = [];
      let cursor: string | null = null;
      let rowsBefore = 0;
      do {
        const chunk: ExportChunk = await b.query(
          'exportChunk',
          { ...ALL },
          'latency',
          'desc',
          'ndjson',
          cursor,
          rowsBefore,
          50
        );
        texts.push(chunk.text);
        rowsBefore += chunk.rows;
        cursor = chunk.next_cursor;
      } while (cursor && texts.length < 100);
      expect(rowsBefore).toBe(SEED_COUNT);
      pages.push(texts);
    }
    expect(pages[1]).toEqual(pages[0]);
  });

  test('after the same deletes (a day and a half, one by id) both still agree', async () => {
    const before = T0 + DAY + 43_210_987;
    const counts = await Promise.all(
      [sqlite, postgres].map((b) => b.alpha.command({ op: 'deleteBefore', before }))
    );
    const expected = seeded.records.filter((r) => r.started_at < before).length;
    expect(counts).toEqual([expected, expected]);
    const gone = ids[SEED_COUNT - 3];
    expect(
      await Promise.all([sqlite, postgres].map((b) => b.alpha.command({ op: 'deleteById', id: gone })))
    ).toEqual([true, true]);
    const left = SEED_COUNT - expected - 1;
    for (const b of [sqlite, postgres]) {
      expect(
        (await b.query('aggregations', { ...ALL }, { include: ['summary'] }, NOW)).summary.messages
      ).toBe(left);
    }
    await compareAll();
  });
});
