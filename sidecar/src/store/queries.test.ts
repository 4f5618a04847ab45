import type { MeasurementRecord } from '../tap/record';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { tempStore, type TempStore } from '../../test/store/helpers';
import { canonicalModelName } from '../metrics/labels';
import { classify } from './classify';
import { CursorError } from './filters';
import { listMessages, search, values } from './queries';
import { SORTS, type MessageFilters, type SortKey, type SortOrder } from '@ollama-lens/contracts';

const FROM = 1_764_000_000_000;
const TO = FROM + 6 * 3600_000;

let t: TempStore;
let records: MeasurementRecord[];
let seqOf: Map<string, number>;

beforeAll(() => {
  t = tempStore();
  const f = new RecordFactory({ seed: 42, from: FROM, to: TO, users: 12 });
  // More than the 2000 rows above which a wide window reads the sort's own index.
  records = Array.from({ length: 2300 }, () => f.next());
  // A few with planted words and awkward values for the search and sort edges.
  records.push(
    f.next({
      id: 'planted-1',
      prompt: { prompt: 'Explain the café "menu" (prices) in São Paulo: NEAR the station' },
      response: { content: 'Le café coûte 3€.' },
      user: 'Zoë',
    }),
    f.next({
      id: 'planted-2',
      prompt: { messages: [{ role: 'user', content: 'What does SELECT * FROM users; -- do?' }] },
      response: { content: 'It reads every row of users.' },
      requested_model: undefined,
    }),
    f.next({
      id: 'planted-3',
      prompt: { prompt: '東京の天気は？ 日本語で答えて' },
      response: { content: '晴れです' },
      input_tokens: undefined,
      output_tokens: undefined,
    })
  );
  t.add(records);
  seqOf = new Map(
    (t.store.db.prepare('SELECT id, seq FROM messages').all() as { id: string; seq: number }[]).map((r) => [
      r.id,
      r.seq,
    ])
  );
});
afterAll(() => t.cleanup());

/** The reference: what the filters and the sort mean, computed in plain JS over the records. */
function reference(f: MessageFilters, sort: SortKey = 'time', order: SortOrder = 'desc'): string[] {
  const key = (r: MeasurementRecord): number | string => {
    switch (sort) {
      case 'time':
        return r.started_at;
      case 'model':
        return r.model ?? '';
      case 'user':
        return r.user ?? '';
      case 'input_tokens':
        return r.input_tokens ?? -1;
      case 'output_tokens':
        return r.output_tokens ?? -1;
      case 'tokens':
        return (r.input_tokens ?? 0) + (r.output_tokens ?? 0);
      case 'latency':
        return r.duration_ms;
    }
  };
  const inRange = (v: number | undefined, min?: number, max?: number) =>
    (min === undefined || (v !== undefined && v >= min)) &&
    (max === undefined || (v !== undefined && v <= max));
  const rows = records.filter(
    (r) =>
      (f.from === undefined || r.started_at >= f.from) &&
      (f.to === undefined || r.started_at < f.to) &&
      // A filter may name a model as requested (`nomic-embed-text`) or canonically (`…:latest`).
      (!f.model || (r.model !== undefined && f.model.map(canonicalModelName).includes(r.model))) &&
      (!f.status || f.status.includes(r.status)) &&
      (!f.category || f.category.includes(classify(r.prompt))) &&
      (f.user === undefined || r.user === f.user) &&
      (f.session === undefined || r.session === f.session) &&
      (f.endpoint === undefined || r.endpoint === f.endpoint) &&
      inRange(r.input_tokens, f.min_input_tokens, f.max_input_tokens) &&
      inRange(r.output_tokens, f.min_output_tokens, f.max_output_tokens) &&
      inRange(r.duration_ms, f.min_latency_ms, f.max_latency_ms)
  );
  const dir = order === 'desc' ? -1 : 1;
  rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * dir;
    return (seqOf.get(a.id)! - seqOf.get(b.id)!) * dir;
  });
  return rows.map((r) => r.id);
}

/** Pages through everything, checking every page's size and the cursor contract. */
function allPages(f: MessageFilters, sort: SortKey, order: SortOrder, limit: number): string[] {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = listMessages(t.store, f, { sort, order, limit, cursor });
    expect(page.messages.length).toBeLessThanOrEqual(limit);
    ids.push(...page.messages.map((m) => m.id));
    if (page.next_cursor === null) return ids;
    expect(page.messages).toHaveLength(limit);
    cursor = page.next_cursor;
  }
  throw new Error('pagination did not end');
}

describe('listMessages: filters', () => {
  const some = () => records[7];
  const cases: [string, () => MessageFilters][] = [
    ['no filter', () => ({})],
    [
      'time range (from inclusive, to exclusive)',
      () => ({ from: records[3].started_at, to: records[9].started_at }),
    ],
    ['one model', () => ({ model: ['llama3.2:3b'] })],
    ['several models', () => ({ model: ['mistral:7b', 'gemma3:4b', 'nomic-embed-text'] })],
    ['unknown model', () => ({ model: ['does-not-exist'] })],
    ['status error', () => ({ status: ['error'] })],
    ['status timeout or cancelled', () => ({ status: ['timeout', 'cancelled'] })],
    ['user', () => ({ user: some().user ?? 'user-0001' })],
    ['unicode user', () => ({ user: 'Zoë' })],
    ['session', () => ({ session: records.find((r) => r.session)!.session })],
    ['category', () => ({ category: ['code'] })],
    ['categories', () => ({ category: ['translation', 'summarization'] })],
    ['endpoint', () => ({ endpoint: '/v1/chat/completions' })],
    ['input token range', () => ({ min_input_tokens: 30, max_input_tokens: 60 })],
    ['output token min', () => ({ min_output_tokens: 300 })],
    ['output token max 0', () => ({ max_output_tokens: 0 })],
    ['latency range', () => ({ min_latency_ms: 1000, max_latency_ms: 5000 })],
    ['min above max: nothing', () => ({ min_latency_ms: 5000, max_latency_ms: 1000 })],
    [
      'everything at once',
      () => ({
        from: FROM,
        to: TO,
        model: ['llama3.2:3b', 'mistral:7b'],
        status: ['success'],
        category: ['chat', 'code'],
        min_output_tokens: 20,
        max_latency_ms: 20000,
      }),
    ],
  ];
  test.each(cases)('%s', (_name, make) => {
    const f = make();
    const expected = reference(f);
    expect(allPages(f, 'time', 'desc', 25)).toEqual(expected);
  });

  test('the cases are not vacuous: most filters select some but not all messages', () => {
    const sizes = cases.map(([name, make]) => [name, reference(make()).length] as const);
    const partial = sizes.filter(([, n]) => n > 0 && n < records.length);
    expect(partial.length).toBeGreaterThanOrEqual(cases.length - 4);
  });
});

describe('listMessages: sorts and pagination', () => {
  const combos = SORTS.flatMap((s) => (['asc', 'desc'] as const).map((o) => [s, o] as const));
  test.each(combos)('sort=%s order=%s pages through everything in order', (sort, order) => {
    expect(allPages({}, sort, order, 100)).toEqual(reference({}, sort, order));
  });

  test.each(combos)('sort=%s order=%s over a wide time window (the sort index path)', (sort, order) => {
    const f: MessageFilters = { from: FROM + 60_000, to: TO - 60_000 };
    expect(allPages(f, sort, order, 100)).toEqual(reference(f, sort, order));
  });

  test.each(combos)('sort=%s order=%s over a narrow window', (sort, order) => {
    const f: MessageFilters = { from: FROM + 3600_000, to: FROM + 3 * 3600_000 };
    const expected = reference(f, sort, order);
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.length).toBeLessThan(2000);
    expect(allPages(f, sort, order, 25)).toEqual(expected);
  });

  test.each([10, 33, 100])('page size %i with a filter', (limit) => {
    const f: MessageFilters = { status: ['success'], min_output_tokens: 50 };
    expect(allPages(f, 'latency', 'desc', limit)).toEqual(reference(f, 'latency', 'desc'));
  });

  test('a model filter finds the same messages by the name as requested and by its canonical name', () => {
    const untagged = allPages({ model: ['nomic-embed-text'] }, 'time', 'desc', 25);
    expect(records.filter((r) => r.requested_model === 'nomic-embed-text').length).toBeGreaterThan(0);
    expect(untagged).toHaveLength(records.filter((r) => r.requested_model === 'nomic-embed-text').length);
    expect(allPages({ model: ['nomic-embed-text:latest'] }, 'time', 'desc', 25)).toEqual(untagged);
    // The model values (Grafana's variable, the Explorer's filter options) offer the canonical name.
    expect(values(t.store, 'model', {}).map((v) => v.name)).toContain('nomic-embed-text:latest');
    expect(values(t.store, 'model', {}).map((v) => v.name)).not.toContain('nomic-embed-text');
  });

  test('the last page is exactly full: next_cursor is null, no empty page', () => {
    const f: MessageFilters = { model: ['llama3.2:3b'] };
    const n = reference(f).length;
    const limit = 10;
    const page = listMessages(t.store, f, { sort: 'time', order: 'desc', limit: n });
    expect(page.messages).toHaveLength(n);
    expect(page.next_cursor).toBeNull();
    expect(n).toBeGreaterThan(limit);
  });

  test('an empty result has no cursor', () => {
    expect(listMessages(t.store, { user: 'nobody' }, { sort: 'time', order: 'desc', limit: 25 })).toEqual({
      messages: [],
      next_cursor: null,
    });
  });

  test('a cursor from another sort, or garbage, is refused', () => {
    const page = listMessages(t.store, {}, { sort: 'time', order: 'desc', limit: 10 });
    expect(() =>
      listMessages(t.store, {}, { sort: 'latency', order: 'desc', limit: 10, cursor: page.next_cursor! })
    ).toThrow(CursorError);
    expect(() =>
      listMessages(t.store, {}, { sort: 'time', order: 'asc', limit: 10, cursor: page.next_cursor! })
    ).toThrow(/sort=time&order=desc/);
    for (const bad of [
      'nope',
      '',
      'e30',
      Buffer.from('["time","desc","x",1]').toString('base64url'),
      Buffer.from('["time","desc",1,1.5]').toString('base64url'),
    ]) {
      expect(() =>
        listMessages(t.store, {}, { sort: 'time', order: 'desc', limit: 10, cursor: bad || 'x' })
      ).toThrow(CursorError);
    }
  });
});

describe('listMessages: stable under inserts', () => {
  test('rows inserted while paging never duplicate or hide rows of the original result', () => {
    const extra = tempStore();
    try {
      const f = new RecordFactory({ seed: 77, from: FROM, to: TO });
      const first = Array.from({ length: 120 }, () => f.next());
      extra.add(first);
      const seen: string[] = [];
      let page = listMessages(extra.store, {}, { sort: 'time', order: 'desc', limit: 25 });
      seen.push(...page.messages.map((m) => m.id));
      const cursorTime = page.messages[page.messages.length - 1].started_at;
      // New rows land on both sides of the cursor: newer (already paged past) and older (still to come).
      const newer = Array.from({ length: 20 }, (_, i) => f.next({ id: `newer-${i}`, started_at: TO + i }));
      const older = Array.from({ length: 20 }, (_, i) =>
        f.next({ id: `older-${i}`, started_at: FROM - 1000 + i })
      );
      extra.add([...newer, ...older]);
      while (page.next_cursor) {
        page = listMessages(
          extra.store,
          {},
          { sort: 'time', order: 'desc', limit: 25, cursor: page.next_cursor }
        );
        seen.push(...page.messages.map((m) => m.id));
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const r of first) expect(seen).toContain(r.id);
      for (const r of older) expect(seen).toContain(r.id);
      for (const r of newer) expect(seen).not.toContain(r.id);
      expect(cursorTime).toBeGreaterThan(FROM);
    } finally {
      extra.cleanup();
    }
  });
});

describe('search and the q filter', () => {
  const ids = (q: string, f: MessageFilters = {}) =>
    listMessages(t.store, { ...f, q }, { sort: 'time', order: 'desc', limit: 100 }).messages.map((m) => m.id);

  test('words match case- and accent-insensitively, ANDed', () => {
    expect(ids('CAFE')).toContain('planted-1');
    expect(ids('café paulo')).toEqual(['planted-1']);
    expect(ids('café nonexistentword')).toEqual([]);
    expect(ids('coûte')).toEqual(['planted-1']);
  });

  test('a quoted phrase must appear as a phrase; a trailing * is a prefix', () => {
    expect(ids('"são paulo"')).toEqual(['planted-1']);
    expect(ids('"paulo são"')).toEqual([]);
    expect(ids('stat*')).toContain('planted-1');
    expect(ids('"sao pau"*')).toEqual(['planted-1']);
  });

  test('FTS5 syntax in the input is plain text, never an operator or a column filter', () => {
    // As operators these would be errors or match everything; as text they match the planted rows only.
    expect(ids('NEAR station')).toEqual(['planted-1']);
    // "NEAR(the" is the phrase "near the", which the planted prompt has; "station)" is "station".
    expect(ids('NEAR(the station)')).toEqual(['planted-1']);
    expect(ids('NEAR(café station)')).toEqual([]);
    expect(ids('SELECT * FROM users; --')).toEqual(['planted-2']);
    expect(ids('prompt_text:café')).toEqual([]);
    expect(ids('café OR xyzzy')).toEqual([]);
    expect(ids('café AND NOT station')).toEqual([]);
    expect(ids('-station café')).toEqual(['planted-1']);
    expect(ids('(prices)')).toEqual(['planted-1']);
    expect(ids('menu^')).toEqual(['planted-1']);
  });

  test.each([
    '"',
    '""',
    '"""',
    '*',
    '**',
    '-',
    ':',
    '()',
    '(',
    ')',
    '^',
    '{}',
    '[',
    ']',
    '\\',
    "'",
    "' OR 1=1 --",
    '"; DROP TABLE messages; --',
    'a"b',
    '"unterminated phrase',
    'NEAR',
    'AND',
    'OR NOT',
    '🙂',
    '🙂🙂 🚀',
    '\u0000',
    '\t\n',
    '   ',
    '*café',
    'caf*é',
    'x'.repeat(1000),
    'rowid=1',
    'messages_fts MATCH 1',
  ])('no error and no surprise for %j', (q) => {
    expect(() => ids(q)).not.toThrow();
    expect(() => search(t.store, { q }, 20)).not.toThrow();
    const got = ids(q);
    // Nothing here is a real word of the corpus except the few that contain one.
    expect(got.length).toBeLessThanOrEqual(records.length);
    expect(t.store.count()).toBe(records.length);
  });

  test('input without any letter or digit matches nothing (not everything)', () => {
    for (const q of ['()', '🙂', '--', '"*"']) expect(ids(q)).toEqual([]);
  });

  test('non-Latin scripts are searchable as whole words', () => {
    expect(ids('晴れです')).toEqual(['planted-3']);
  });

  test('search returns highlighted snippets as segments, newest first, filters applied', () => {
    const res = search(t.store, { q: 'café' }, 10);
    expect(res.map((r) => r.id)).toEqual(['planted-1']);
    const r = res[0];
    expect(r.user).toBe('Zoë');
    expect(r.prompt_snippet.filter((s) => s.match).map((s) => s.text)).toEqual(['café']);
    expect(r.prompt_snippet.map((s) => s.text).join('')).toBe(
      'Explain the café "menu" (prices) in São Paulo: NEAR the station'
    );
    expect(r.response_snippet).toEqual([
      { text: 'Le ', match: false },
      { text: 'café', match: true },
      { text: ' coûte 3€.', match: false },
    ]);
    expect(search(t.store, { q: 'café', user: 'someone-else' }, 10)).toEqual([]);

    const common = search(t.store, { q: 'the' }, 15);
    expect(common).toHaveLength(15);
    const times = common.map((x) => seqOf.get(x.id)!);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const hit of common) {
      const matched = [...hit.prompt_snippet, ...hit.response_snippet].filter((s) => s.match);
      expect(matched.length).toBeGreaterThan(0);
      expect(matched.every((s) => s.text.toLowerCase() === 'the')).toBe(true);
    }
  });

  test('long texts are cut around the match with ellipses', () => {
    const extra = tempStore();
    try {
      const long = `${'lorem ipsum dolor '.repeat(100)}needle in the middle${' sit amet consectetur'.repeat(100)}`;
      extra.add([
        new RecordFactory({ seed: 1 }).next({
          id: 'long',
          prompt: { prompt: long },
          response: { content: 'short' },
        }),
      ]);
      const [hit] = search(extra.store, { q: 'needle' }, 5);
      const text = hit.prompt_snippet.map((s) => s.text).join('');
      expect(text.startsWith('…')).toBe(true);
      expect(text.endsWith('…')).toBe(true);
      expect(text.length).toBeLessThan(250);
      expect(hit.prompt_snippet.find((s) => s.match)!.text).toBe('needle');
      expect(hit.response_snippet).toEqual([{ text: 'short', match: false }]);
    } finally {
      extra.cleanup();
    }
  });
});

describe('values', () => {
  test('models and users by message count; categories always all six', () => {
    const models = values(t.store, 'model', {});
    const counts = new Map<string, number>();
    for (const r of records) if (r.model) counts.set(r.model, (counts.get(r.model) ?? 0) + 1);
    expect(models).toEqual(
      [...counts.entries()]
        .map(([name, messages]) => ({ name, messages }))
        .sort((a, b) => b.messages - a.messages || (a.name < b.name ? -1 : 1))
    );
    const users = values(t.store, 'user', { model: ['llama3.2:3b'] });
    expect(users.reduce((n, u) => n + u.messages, 0)).toBe(
      records.filter((r) => r.user && r.model === 'llama3.2:3b').length
    );
    expect(values(t.store, 'category', { user: 'nobody' })).toEqual(
      ['summarization', 'translation', 'code', 'chat', 'analysis', 'other'].map((name) => ({
        name,
        messages: 0,
      }))
    );
  });
});
