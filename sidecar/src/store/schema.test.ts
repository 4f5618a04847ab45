import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rollupMismatches } from '../../test/store/helpers';
import { aggregations } from './aggregate';
import { declaredColumns } from './columns';
import { getMessage, listMessages, values } from './queries';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';
import { registerSketchFunctions } from './sketch';
import { MessageStore } from './store';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-schema-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the column table (columns.ts) is exactly what the migrations create', () => {
  const store = new MessageStore(path.join(dir, 'new.db'));
  try {
    for (const table of ['messages', 'message_content'] as const) {
      // table_xinfo also lists generated columns (the token sum).
      const actual = (
        store.db.prepare(`SELECT name, type, "notnull" FROM pragma_table_xinfo('${table}')`).all() as {
          name: string;
          type: string;
          notnull: number;
        }[]
      ).map((c) => ({
        name: c.name,
        type: c.type,
        // SQLite reports a primary key's NOT NULL only when declared; the rowid is never NULL.
        notNull: c.notnull === 1 || c.name === 'seq',
      }));
      expect(actual).toEqual(declaredColumns(table));
    }
  } finally {
    store.close();
  }
});

const MINUTE = 60_000;
const T0 = 1_790_000_040_000 - (1_790_000_040_000 % (24 * 3600_000)) + 10 * 3600_000;

/** A message row as a version-2 sidecar wrote it: the model name as the client sent it. */
function oldRow(
  db: Database.Database,
  id: string,
  model: string | null,
  startedAt: number,
  durationMs: number
) {
  db.prepare(
    `INSERT INTO messages (id, started_at, ended_at, duration_ms, method, path, endpoint, flavor, model, "user",
       stream, status, http_status, request_bytes, response_bytes, category, input_tokens, output_tokens,
       token_source, cost, capture_content, redacted)
     VALUES (?, ?, ?, ?, 'POST', '/api/generate', '/api/generate', 'ollama', ?, 'alice', 0, 'success', 200, 10, 100,
       'chat', 10, 5, 'ollama', 0.001, 1, 0)`
  ).run(id, startedAt, startedAt + Math.round(durationMs), durationMs, model);
}

test('a version-2 store migrates: canonical model names, the requested name kept, colliding rollup rows merged', () => {
  const file = path.join(dir, 'v2.db');
  // Build the file exactly as a version-2 sidecar left it: migrations 1 and 2, rollups backfilled by
  // migration 2 from the rows (the same as the v2 writer kept them).
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  registerSketchFunctions(db);
  db.exec(MIGRATIONS[0]);
  // `tiny` and `tiny:latest` in the same minute, category, status and endpoint: their rollup rows collide.
  oldRow(db, 'a', 'tiny', T0 + 1000, 120);
  oldRow(db, 'b', 'tiny:latest', T0 + 2000, 800);
  oldRow(db, 'c', 'tiny', T0 + 3 * MINUTE, 3000);
  oldRow(db, 'd', 'qwen2.5:0.5b', T0 + 4000, 50);
  oldRow(db, 'e', 'hf.co/org/model', T0 + 5000, 70);
  oldRow(db, 'f', null, T0 + 6000, 2);
  db.exec(MIGRATIONS[1]);
  db.pragma('user_version = 2');
  const before = db
    .prepare("SELECT count(*) FROM rollup_dims_minute WHERE model IN ('tiny', 'tiny:latest')")
    .pluck()
    .get();
  expect(before).toBe(3);
  db.close();

  const store = new MessageStore(file);
  try {
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const rows = store.db.prepare('SELECT id, model, requested_model FROM messages ORDER BY id').all() as {
      id: string;
      model: string | null;
      requested_model: string | null;
    }[];
    expect(rows).toEqual([
      { id: 'a', model: 'tiny:latest', requested_model: 'tiny' },
      { id: 'b', model: 'tiny:latest', requested_model: 'tiny:latest' },
      { id: 'c', model: 'tiny:latest', requested_model: 'tiny' },
      { id: 'd', model: 'qwen2.5:0.5b', requested_model: 'qwen2.5:0.5b' },
      { id: 'e', model: 'hf.co/org/model:latest', requested_model: 'hf.co/org/model' },
      { id: 'f', model: null, requested_model: null },
    ]);
    // Every rollup tier equals the measures (sums, histograms, sketches) recomputed from the
    // migrated messages: the colliding rows were merged, nothing was lost or counted twice.
    expect(rollupMismatches(store)).toEqual([]);
    for (const tier of ['minute', 'minute10', 'hour', 'day']) {
      const models = store.db
        .prepare(`SELECT DISTINCT model FROM rollup_dims_${tier} ORDER BY model`)
        .pluck()
        .all();
      expect(models).toEqual(['', 'hf.co/org/model:latest', 'qwen2.5:0.5b', 'tiny:latest']);
    }
    expect(
      store.db
        .prepare("SELECT messages FROM rollup_dims_minute WHERE model = 'tiny:latest' AND t = ?")
        .pluck()
        .get(T0)
    ).toBe(2);

    // Filters, values and aggregations: one name, whichever way it is asked for.
    const window = { from: T0 - 3600_000, to: T0 + 3600_000 };
    for (const model of ['tiny', 'tiny:latest']) {
      const page = listMessages(
        store,
        { ...window, model: [model] },
        { sort: 'time', order: 'asc', limit: 10 }
      );
      expect(page.messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
      const a = aggregations(store, { ...window, model: [model] }, {}, window.to);
      expect(a.summary.messages).toBe(3);
    }
    expect(values(store, 'model', {}).map((v) => v.name)).toEqual([
      'tiny:latest',
      'hf.co/org/model:latest',
      'qwen2.5:0.5b',
    ]);
    expect(getMessage(store, 'a')?.message).toMatchObject({ model: 'tiny:latest', requested_model: 'tiny' });
  } finally {
    store.close();
  }
});
