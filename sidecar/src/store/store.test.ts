import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PriceTable } from '../config';
import { measurementRecord } from '../tap/derive';
import type { MeasurementRecord, ObservedExchange } from '../tap/record';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { rollupMismatches, tempStore, type TempStore } from '../../test/store/helpers';
import { getMessage, search } from './queries';
import { Redactor } from './redact';
import { decodeChunks, encodeChunks, prepareRow } from './row';
import { migrate, SCHEMA_VERSION, SchemaTooNewError } from './schema';
import { MessageStore } from './store';

/** A streamed /api/chat exchange as the tap records it (text from the recorded tiny-model fixture). */
function chatRecord(over: Partial<ObservedExchange> = {}, prices: PriceTable = {}): MeasurementRecord {
  const pieces = [' red', ' fast', ' and', ' house', ' in', ' river', ' mat', ' blue'];
  return measurementRecord(
    {
      id: 'b7d1c0de-0000-4000-8000-000000000001',
      method: 'POST',
      path: '/api/chat',
      endpoint: '/api/chat',
      flavor: 'ollama',
      requested_model: 'tiny',
      user: 'alice',
      session: 'sess-1',
      client_address: '127.0.0.1',
      user_agent: 'ollama-js/0.6.3',
      stream: true,
      started_at: 1_764_000_000_000,
      ttft_ms: 41.5,
      ttfb_ms: 41.2,
      ended_at: 1_764_000_000_120,
      duration_ms: 120.4,
      status: 'success',
      http_status: 200,
      request_bytes: 180,
      response_bytes: 1450,
      prompt: {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Why is the sky blue?' },
        ],
      },
      response: { content: pieces.join('') },
      options: { num_predict: 8, seed: 42, temperature: 0.7, stop: ['\n\n'] },
      timings: {
        total_duration_ns: 95_000_000,
        load_duration_ns: 12_000_000,
        prompt_eval_count: 24,
        prompt_eval_duration_ns: 20_000_000,
        eval_count: 8,
        eval_duration_ns: 40_000_000,
      },
      done_reason: 'length',
      input_tokens: 24,
      output_tokens: 8,
      token_source: 'ollama',
      chunks: [
        ...pieces.map((text, i) => ({ t_ms: 41.5 + i * 10.04, bytes: 110 + text.length, text })),
        { t_ms: 120.1, bytes: 320 },
      ],
      capture_content: true,
      proxy_overhead_ms: 0.12,
      ...over,
    },
    prices
  );
}

/** Every rollup must equal the measures recomputed from the messages themselves. */
function expectRollupConsistent(store: MessageStore): void {
  expect(rollupMismatches(store)).toEqual([]);
}

describe('schema', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-schema-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a new file gets the current schema, WAL and incremental auto-vacuum; reopening migrates nothing', () => {
    const file = path.join(dir, 'a.db');
    const s = new MessageStore(file);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('auto_vacuum', { simple: true })).toBe(2);
    s.close();
    const db = new Database(file);
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    db.close();
  });

  test('a file from a newer sidecar is refused with a clear message, and left untouched', () => {
    const file = path.join(dir, 'new.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => new MessageStore(file)).toThrow(SchemaTooNewError);
    expect(() => new MessageStore(file)).toThrow(/newer than this sidecar understands/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    again.close();
  });

  test('creates the directory of the database file', () => {
    const file = path.join(dir, 'nested', 'deeper', 'x.db');
    new MessageStore(file).close();
    expect(fs.existsSync(file)).toBe(true);
  });
});

describe('MessageStore', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  test('stores every field of the record, with the values derived from it, and its category', () => {
    const rec = chatRecord({}, { tiny: { input: 1, output: 2 } });
    t.add([rec]);
    const d = getMessage(t.store, rec.id);
    expect(d).toBeDefined();
    const m = d!.message;
    expect(m).toMatchObject({
      id: rec.id,
      started_at: rec.started_at,
      ended_at: rec.ended_at,
      model: 'tiny:latest',
      requested_model: 'tiny',
      endpoint: '/api/chat',
      method: 'POST',
      path: '/api/chat',
      flavor: 'ollama',
      stream: true,
      user: 'alice',
      session: 'sess-1',
      client_address: '127.0.0.1',
      user_agent: 'ollama-js/0.6.3',
      status: 'success',
      http_status: 200,
      category: 'chat',
      prompt_preview: 'Why is the sky blue?',
      input_tokens: 24,
      output_tokens: 8,
      duration_ms: 120.4,
      ttft_ms: 41.5,
      ttfb_ms: 41.2,
      error_type: null,
      error_message: null,
      prompt: rec.prompt,
      response: rec.response,
      options: rec.options,
      timings: rec.timings,
      done_reason: 'length',
      token_source: 'ollama',
      capture_content: true,
      redacted: false,
    });
    expect(m.cost).toBeCloseTo((24 * 1 + 8 * 2) / 1e6, 12);
    // 95 ms inside Ollama, of which 12 + 20 + 40 ms of work: 23 ms waiting. (The other 25.4 ms of
    // the proxy's 120.4 ms are network and proxy time, not queueing.)
    expect(m.queue_ms).toBeCloseTo(23, 6);
    expect(m.tokens_per_second).toBeCloseTo(200, 6);
    expect(m.chunks).toHaveLength(9);
    expect(m.chunks.map((c) => c.text).join('')).toBe(rec.response!.content);
    expect(m.chunks[8]).toEqual({ t_ms: 120.1, bytes: 320, text: null });
    expect(m.chunks[1]).toEqual({ t_ms: 51.5, bytes: 115, text: ' fast' });
  });

  test('nullable fields are null, never absent, for a bare record (e.g. GET /api/tags)', () => {
    const rec: MeasurementRecord = {
      id: 'tags-1',
      method: 'GET',
      path: '/api/tags',
      endpoint: '/api/tags',
      flavor: 'none',
      stream: false,
      started_at: 1_764_000_000_000,
      ended_at: 1_764_000_000_003,
      duration_ms: 2.5,
      status: 'success',
      http_status: 200,
      request_bytes: 0,
      response_bytes: 337,
      token_source: 'none',
      capture_content: true,
    };
    t.add([rec]);
    const m = getMessage(t.store, 'tags-1')!.message;
    for (const key of [
      'model',
      'user',
      'session',
      'prompt_preview',
      'input_tokens',
      'output_tokens',
      'ttft_ms',
      'cost',
      'error_type',
      'prompt',
      'response',
      'options',
      'queue_ms',
      'tokens_per_second',
      'done_reason',
      'requested_model',
      'input_cost',
      'output_cost',
    ] as const) {
      expect(m[key]).toBeNull();
    }
    expect(m.category).toBe('other');
    expect(m.chunks).toEqual([]);
    expect(Object.values(m.timings).every((v) => v === null)).toBe(true);
  });

  test('session_messages lists the other messages of the session in time order', () => {
    const f = new RecordFactory({ seed: 9 });
    const base = 1_764_000_000_000;
    const recs = [3, 1, 2, 0].map((i) => f.next({ session: 'S', started_at: base + i * 1000, id: `s-${i}` }));
    recs.push(f.next({ session: 'other', id: 'x' }));
    t.add(recs);
    const d = getMessage(t.store, 's-2')!;
    expect(d.session_messages.map((m) => m.id)).toEqual(['s-0', 's-1', 's-3']);
    expect(getMessage(t.store, 'x')!.session_messages).toEqual([]);
  });

  test('a duplicate id is skipped without failing the rest of the batch', () => {
    const a = chatRecord({ id: 'dup' });
    const b = chatRecord({ id: 'dup', user: 'bob' });
    const c = chatRecord({ id: 'other' });
    expect(t.store.insert([a, b, c].map((r) => prepareRow(r, { captureContent: true })))).toBe(2);
    expect(getMessage(t.store, 'dup')!.message.user).toBe('alice');
    expect(t.store.count()).toBe(2);
  });

  describe('content capture off', () => {
    const secretWord = 'zebraquokka';
    const rec = () =>
      chatRecord({
        id: 'private-1',
        prompt: {
          system: `system ${secretWord}`,
          messages: [{ role: 'user', content: `tell me about ${secretWord}s` }],
        },
        response: { content: `${secretWord} facts`, thinking: `thinking ${secretWord}` },
        chunks: [
          { t_ms: 5, bytes: 40, text: `${secretWord} ` },
          { t_ms: 9, bytes: 40, text: 'facts' },
        ],
        options: { temperature: 0.2, stop: [secretWord], extra: { note: secretWord } },
      });

    test.each([
      ['globally (config.captureContent=false)', { captureContent: false }, rec()],
      ['per request (record.capture_content=false)', {}, { ...rec(), capture_content: false }],
    ])('%s: no text stored anywhere, metadata and timings kept', (_name, opts, r) => {
      t.add([r], opts);
      const m = getMessage(t.store, 'private-1')!.message;
      expect(m.capture_content).toBe(false);
      expect(m.prompt).toBeNull();
      expect(m.response).toBeNull();
      expect(m.prompt_preview).toBeNull();
      expect(m.options).toEqual({ temperature: 0.2 });
      expect(m.chunks).toEqual([
        { t_ms: 5, bytes: 40, text: null },
        { t_ms: 9, bytes: 40, text: null },
      ]);
      expect(m.input_tokens).toBe(24);
      expect(m.category).toBe('chat');
      expect(search(t.store, { q: secretWord }, 10)).toEqual([]);
      t.store.db.pragma('wal_checkpoint(TRUNCATE)');
      expect(t.rawBytes().includes(secretWord)).toBe(false);
    });
  });

  test('redaction removes secrets from prompt, messages, response, chunks and options before writing', () => {
    const key = 'sk-proj-Zk4fGh7Jk2Lm9Nq3Rs5Tv8Wx';
    const email = 'jane.roe@example.com';
    const card = '4111 1111 1111 1111';
    const r = chatRecord({
      id: 'secret-1',
      prompt: {
        system: `Use key ${key}`,
        messages: [
          { role: 'user', content: `My card is ${card}, mail ${email}` },
          {
            role: 'assistant',
            content: 'ok',
            tool_calls: [{ name: 'send', arguments: `{"to":"${email}"}` }],
          },
        ],
      },
      response: { content: `Sent to ${email} with ${key}` },
      // The key arrives split over two chunks.
      chunks: [
        { t_ms: 1, bytes: 50, text: `Sent to ${email} with sk-proj-` },
        { t_ms: 2, bytes: 50, text: 'Zk4fGh7Jk2Lm9Nq3Rs5Tv8Wx' },
      ],
      options: { stop: [email] },
    });
    t.add([r], { redactor: new Redactor() });
    const m = getMessage(t.store, 'secret-1')!.message;
    const everything = JSON.stringify(m);
    for (const secret of [key, 'Zk4fGh7Jk2Lm9Nq3Rs5Tv8Wx', email, card, '4111'])
      expect(everything).not.toContain(secret);
    expect(m.redacted).toBe(true);
    expect(m.response!.content).toBe('Sent to [REDACTED:email] with [REDACTED:api_key]');
    expect(m.chunks.map((c) => c.text).join('')).toBe(m.response!.content);
    expect(m.prompt_preview).toBe('My card is [REDACTED:card], mail [REDACTED:email]');
    expect(search(t.store, { q: 'Zk4fGh7Jk2Lm9Nq3Rs5Tv8Wx' }, 10)).toEqual([]);
    expect(search(t.store, { q: 'jane' }, 10)).toEqual([]);
    expect(search(t.store, { q: 'REDACTED' }, 10).map((x) => x.id)).toEqual(['secret-1']);
    t.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const raw = t.rawBytes();
    for (const secret of ['Zk4fGh7Jk2Lm9Nq3Rs5Tv8Wx', 'jane.roe', '4111 1111'])
      expect(raw.includes(secret)).toBe(false);
  });

  test('deleting by id, by age and everything keeps the full-text index consistent', () => {
    const f = new RecordFactory({ seed: 4, from: 1_000_000, to: 2_000_000 });
    t.add(Array.from({ length: 1200 }, () => f.next()));
    t.add([
      chatRecord({
        id: 'needle',
        started_at: 1_700_000,
        response: { content: 'the word xylophone' },
        chunks: undefined,
      }),
    ]);
    const integrity = () => {
      t.store.db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 0)").run();
      expectRollupConsistent(t.store);
    };
    integrity();

    expect(search(t.store, { q: 'xylophone' }, 5).map((r) => r.id)).toEqual(['needle']);
    expect(t.store.deleteById('needle')).toBe(true);
    expect(t.store.deleteById('needle')).toBe(false);
    expect(search(t.store, { q: 'xylophone' }, 5)).toEqual([]);
    expect(getMessage(t.store, 'needle')).toBeUndefined();
    expect(
      t.store.db
        .prepare('SELECT count(*) FROM message_content WHERE seq NOT IN (SELECT seq FROM messages)')
        .pluck()
        .get()
    ).toBe(0);
    integrity();

    const before = t.store.count();
    const older = t.store.db
      .prepare('SELECT count(*) FROM messages WHERE started_at < ?')
      .pluck()
      .get(1_600_000) as number;
    // More than one delete chunk (500).
    expect(older).toBeGreaterThan(500);
    return t.store.deleteBefore(1_600_000).then((deleted) => {
      expect(deleted).toBe(older);
      expect(t.store.count()).toBe(before - older);
      expect(t.store.db.prepare('SELECT min(started_at) FROM messages').pluck().get()).toBeGreaterThanOrEqual(
        1_600_000
      );
      expect(t.store.db.prepare('SELECT count(*) FROM message_content').pluck().get()).toBe(before - older);
      integrity();
      const common = search(t.store, { q: 'the' }, 100);
      expect(common.length).toBeGreaterThan(0);
      expect(common.every((r) => r.started_at >= 1_600_000)).toBe(true);

      expect(t.store.deleteAll()).toBe(before - older);
      expect(t.store.count()).toBe(0);
      expect(search(t.store, { q: 'the' }, 100)).toEqual([]);
      integrity();
    });
  });

  test('usedBytes shrinks after deleting, and the file gives space back', () => {
    const f = new RecordFactory({ seed: 5 });
    t.add(Array.from({ length: 2000 }, () => f.next()));
    t.store.reclaim();
    const used = t.store.usedBytes();
    const file = fs.statSync(t.file).size;
    t.store.deleteAll();
    expect(t.store.usedBytes()).toBeLessThan(used / 10);
    expect(fs.statSync(t.file).size).toBeLessThan(file / 2);
  });
});

describe('chunk encoding', () => {
  test('texts that add up to the response are stored as lengths and come back identical', () => {
    const chunks = [
      { t_ms: 10.04, bytes: 100, text: 'Hel' },
      { t_ms: 20.11, bytes: 100, text: 'lo 🌍' },
      { t_ms: 25, bytes: 90 },
      { t_ms: 30.5, bytes: 100, text: '!' },
    ];
    const json = encodeChunks(chunks, 'Hello 🌍!', true)!;
    expect(json).not.toContain('Hel');
    expect(decodeChunks(json, 'Hello 🌍!')).toEqual([
      { t_ms: 10, bytes: 100, text: 'Hel' },
      { t_ms: 20.1, bytes: 100, text: 'lo 🌍' },
      { t_ms: 25, bytes: 90, text: null },
      { t_ms: 30.5, bytes: 100, text: '!' },
    ]);
  });

  test('texts that do not add up to the response are kept verbatim', () => {
    const chunks = [
      { t_ms: 1, bytes: 10, text: 'abc' },
      { t_ms: 2, bytes: 10, text: 'def' },
    ];
    const json = encodeChunks(chunks, 'abcdefghi', true)!;
    expect(decodeChunks(json, 'abcdefghi').map((c) => c.text)).toEqual(['abc', 'def']);
    expect(decodeChunks(encodeChunks(chunks, undefined, true), undefined).map((c) => c.text)).toEqual([
      'abc',
      'def',
    ]);
  });

  test('without text: timings only', () => {
    const json = encodeChunks([{ t_ms: 1, bytes: 10, text: 'abc' }], 'abc', false)!;
    expect(json).not.toContain('abc');
    expect(decodeChunks(json, 'abc')).toEqual([{ t_ms: 1, bytes: 10, text: null }]);
    expect(encodeChunks([], 'x', true)).toBeNull();
  });
});
