import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LensEvent } from '@ollama-lens/contracts';
import { deleteEventsBefore, insertEvents, listEvents, type EventPage, type EventQuery } from './events';
import { MEASURE_SQL, MEASURES, measuresOf, ROLLUPS, type SliceSpec } from './measures';
import { CONTENT_COLUMNS, MESSAGE_COLUMNS, type PreparedRow } from './row';
import { migrate } from './schema';
import { SparseSketch } from './sketch';

const col = (name: (typeof MESSAGE_COLUMNS)[number]) => MESSAGE_COLUMNS.indexOf(name);
const AT = {
  started_at: col('started_at'),
  model: col('model'),
  category: col('category'),
  status: col('status'),
  endpoint: col('endpoint'),
  user: col('user'),
  host: col('host'),
  input_tokens: col('input_tokens'),
  output_tokens: col('output_tokens'),
  cost: col('cost'),
  duration_ms: col('duration_ms'),
};

/** Per rollup table: its key, which measures it keeps, and the statements that add to it and take away from it. */
interface Rollup {
  table: string;
  tierMs: number;
  dims: SliceSpec['dims'];
  /** Indexes into MEASURES of the measures this table keeps. */
  measureIdx: number[];
  sketch: boolean;
  upsert: Database.Statement;
  subtract: Database.Statement;
  dropEmpty: Database.Statement;
}

const quoteCol = (d: string) => (d === 'user' ? '"user"' : d);

function rollupSql(table: string, tierMs: number, slice: SliceSpec) {
  const key = ['t', ...slice.dims.map(quoteCol)];
  const vals = [...slice.measures, ...(slice.sketch ? ['sketch'] : [])];
  const cols = [...key, ...vals].join(', ');
  const tail =
    `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ` +
    [
      ...slice.measures.map((m) => `${m} = ${m} + excluded.${m}`),
      ...(slice.sketch ? ['sketch = sketch_merge(sketch, excluded.sketch)'] : []),
    ].join(', ');
  const inner = [
    `(m.started_at / ${tierMs}) * ${tierMs} AS t`,
    ...slice.dims.map((d) => `coalesce(m.${quoteCol(d)}, '') AS ${quoteCol(d)}`),
    ...slice.measures.map((m) => `${MEASURE_SQL[m]} AS ${m}`),
    ...(slice.sketch ? ['sketch_of(m.duration_ms) AS sketch'] : []),
  ];
  return {
    upsert: `INSERT INTO ${table} (${cols}) VALUES (${[...key, ...vals].map(() => '?').join(', ')}) ${tail}`,
    // The deleted rows' measures, grouped by the rollup's key, added with a minus sign.
    subtract:
      `INSERT INTO ${table} (${cols}) SELECT ${key.join(', ')}, ` +
      [...slice.measures.map((m) => `-${m}`), ...(slice.sketch ? ['sketch_negate(sketch)'] : [])].join(', ') +
      ` FROM (SELECT ${inner.join(', ')} FROM messages m WHERE m.seq IN (SELECT value FROM json_each(?)) ` +
      `GROUP BY ${key.map((_, i) => i + 1).join(', ')}) WHERE true ${tail}`,
    dropEmpty: `DELETE FROM ${table} WHERE messages <= 0 AND t BETWEEN ? AND ?`,
  };
}

export interface StoreOpenOptions {
  /** SQLite page cache in MiB (default 32). */
  cacheMb?: number;
}

/** Rows deleted per transaction by bulk deletes, so the event loop is never held for long. */
export const DELETE_CHUNK = 500;

/**
 * The SQLite message store: one connection, WAL, prepared statements. Everything runs on the calling
 * thread (better-sqlite3 is synchronous); writers batch, readers use indexed queries, bulk deletes go
 * in small chunks. The query modules (queries.ts, aggregate.ts) read through `prepare`.
 */
export class MessageStore {
  readonly db: Database.Database;
  readonly path: string;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly insertMessage: Database.Statement;
  private readonly insertContent: Database.Statement;
  private readonly insertFts: Database.Statement;
  private readonly rollups: Rollup[];
  private readonly insertTx: (rows: readonly PreparedRow[]) => number;
  private closed = false;

  constructor(file: string, opts: StoreOpenOptions = {}) {
    this.path = file;
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    try {
      // Only possible on a new, empty file (before WAL writes its header): lets deletes give freed
      // pages back to the disk. Skipped on an existing file, which may well be read-only.
      if (this.db.pragma('user_version', { simple: true }) === 0) this.db.pragma('auto_vacuum = INCREMENTAL');
      this.db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a committed batch survives a process crash (SIGKILL); only an OS crash can lose
      // the last transactions, which is the right trade for telemetry.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma(`cache_size = ${-1024 * (opts.cacheMb ?? 32)}`);
      this.db.pragma('temp_store = MEMORY');
      migrate(this.db);
      // Fresh planner statistics without a long pause: analyses only what needs it, with a limit.
      this.optimize(true);
    } catch (err) {
      this.db.close();
      throw err;
    }
    const cols = MESSAGE_COLUMNS.map((c) => (c === 'user' ? '"user"' : c));
    this.insertMessage = this.db.prepare(
      `INSERT OR IGNORE INTO messages (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`
    );
    this.insertContent = this.db.prepare(
      `INSERT INTO message_content (seq, ${CONTENT_COLUMNS.join(', ')}) VALUES (?, ${CONTENT_COLUMNS.map(() => '?').join(', ')})`
    );
    this.insertFts = this.db.prepare(
      'INSERT INTO messages_fts (rowid, prompt_text, response_text) VALUES (?, ?, ?)'
    );
    this.rollups = ROLLUPS.map((r) => {
      const sql = rollupSql(r.table, r.tier.ms, r.slice);
      return {
        table: r.table,
        tierMs: r.tier.ms,
        dims: r.slice.dims,
        measureIdx: r.slice.measures.map((m) => MEASURES.indexOf(m)),
        sketch: r.slice.sketch,
        upsert: this.db.prepare(sql.upsert),
        subtract: this.db.prepare(sql.subtract),
        dropEmpty: this.db.prepare(sql.dropEmpty),
      };
    });
    this.insertTx = this.db.transaction((rows: readonly PreparedRow[]) => {
      let written = 0;
      // The batch's contribution to each rollup, summed per key, written once per key.
      const sums = this.rollups.map(
        () => new Map<string, { key: (string | number)[]; v: number[]; sketch: SparseSketch | null }>()
      );
      for (const row of rows) {
        const info = this.insertMessage.run(row.message);
        // A duplicate id (the same record twice) is ignored rather than failing the batch.
        if (info.changes === 0) continue;
        const seq = Number(info.lastInsertRowid);
        this.insertContent.run(seq, ...row.content);
        if (row.fts) this.insertFts.run(seq, row.fts[0], row.fts[1]);
        written++;
        const m = row.message;
        const started = m[AT.started_at] as number;
        const duration = m[AT.duration_ms] as number;
        const v = measuresOf({
          status: m[AT.status] as string,
          input_tokens: m[AT.input_tokens] as number | null,
          output_tokens: m[AT.output_tokens] as number | null,
          cost: m[AT.cost] as number | null,
          duration_ms: duration,
        });
        this.rollups.forEach((r, i) => {
          const t = Math.floor(started / r.tierMs) * r.tierMs;
          const key: (string | number)[] = [t];
          let k = String(t);
          for (const d of r.dims) {
            const value = (m[AT[d]] as string | null) ?? '';
            key.push(value);
            k += '\u0000' + value;
          }
          let acc = sums[i].get(k);
          if (!acc) {
            acc = { key, v: r.measureIdx.map(() => 0), sketch: r.sketch ? new SparseSketch() : null };
            sums[i].set(k, acc);
          }
          for (let j = 0; j < r.measureIdx.length; j++) acc.v[j] += v[r.measureIdx[j]];
          acc.sketch?.add(duration);
        });
      }
      this.rollups.forEach((r, i) => {
        for (const { key, v, sketch } of sums[i].values()) {
          if (sketch) r.upsert.run(...key, ...v, sketch.encode());
          else r.upsert.run(...key, ...v);
        }
      });
      return written;
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.db.open;
  }

  /** A cached prepared statement (the SQL text varies only with which filters are present). */
  prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= 500) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Writes rows in one transaction; returns how many were new. Throws on a store error (full, read-only…). */
  insert(rows: readonly PreparedRow[]): number {
    return this.insertTx(rows);
  }

  /** Deletes the given messages with their content and index entries, in one transaction. */
  private deleteSeqs(seqs: readonly number[]): number {
    if (seqs.length === 0) return 0;
    const json = JSON.stringify(seqs);
    return this.db.transaction(() => {
      // Take the rows out of the rollups first (subtract their measures), then drop emptied keys.
      const span = this.prepare(
        'SELECT min(started_at) AS lo, max(started_at) AS hi FROM messages WHERE seq IN (SELECT value FROM json_each(?))'
      ).get(json) as { lo: number | null; hi: number | null };
      for (const r of this.rollups) {
        r.subtract.run(json);
        if (span.lo !== null && span.hi !== null) {
          r.dropEmpty.run(
            Math.floor(span.lo / r.tierMs) * r.tierMs,
            Math.floor(span.hi / r.tierMs) * r.tierMs
          );
        }
      }
      this.prepare('DELETE FROM messages_fts WHERE rowid IN (SELECT value FROM json_each(?))').run(json);
      this.prepare('DELETE FROM message_content WHERE seq IN (SELECT value FROM json_each(?))').run(json);
      return this.prepare('DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?))').run(json)
        .changes;
    })();
  }

  /** Deletes up to `limit` of the oldest messages started before `before` (epoch ms). */
  deleteOlderChunk(before: number, limit = DELETE_CHUNK): number {
    const seqs = this.prepare('SELECT seq FROM messages WHERE started_at < ? ORDER BY started_at LIMIT ?')
      .pluck()
      .all(before, limit) as number[];
    return this.deleteSeqs(seqs);
  }

  /** Deletes up to `limit` of the oldest messages. */
  deleteOldestChunk(limit = DELETE_CHUNK): number {
    const seqs = this.prepare('SELECT seq FROM messages ORDER BY started_at LIMIT ?')
      .pluck()
      .all(limit) as number[];
    return this.deleteSeqs(seqs);
  }

  /** Deletes every message started before `before`, chunk by chunk, yielding to the event loop between chunks. */
  async deleteBefore(before: number): Promise<number> {
    this.deleteEventsBefore(before);
    let total = 0;
    for (;;) {
      if (!this.isOpen) break;
      const n = this.deleteOlderChunk(before);
      total += n;
      if (n < DELETE_CHUNK) break;
      await new Promise((r) => setImmediate(r));
    }
    if (total > 0 && this.isOpen) this.reclaim();
    return total;
  }

  deleteById(id: string): boolean {
    const seq = this.prepare('SELECT seq FROM messages WHERE id = ?').pluck().get(id) as number | undefined;
    return seq !== undefined && this.deleteSeqs([seq]) === 1;
  }

  writeEvents(events: readonly LensEvent[]): void {
    insertEvents(this.db, events);
  }

  events(q: EventQuery): EventPage {
    return listEvents(this.db, q);
  }

  deleteEventsBefore(before: number): number {
    return deleteEventsBefore(this.db, before);
  }

  /** Deletes everything at once (FTS5's delete-all and SQLite's truncate: no per-row work). */
  deleteAll(): number {
    const deleted = this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM messages').run().changes;
      this.db.prepare('DELETE FROM events').run();
      this.db.prepare('DELETE FROM message_content').run();
      this.db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')").run();
      for (const r of this.rollups) this.db.prepare(`DELETE FROM ${r.table}`).run();
      return n;
    })();
    this.reclaim();
    return deleted;
  }

  /** Bytes the data occupies (pages in use; freed pages are reused before the file grows). */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /** Size of the database file plus its WAL on disk. */
  fileBytes(): number {
    if (this.path === ':memory:') return this.usedBytes();
    let total = 0;
    for (const f of [this.path, `${this.path}-wal`]) {
      try {
        total += fs.statSync(f).size;
      } catch {
        // the WAL may not exist yet
      }
    }
    return total;
  }

  count(): number {
    return this.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  }

  /** Gives freed pages back to the file system and keeps the WAL short after bulk deletes. */
  reclaim(): void {
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Keeps the query planner's statistics current (SQLite's recommended `PRAGMA optimize`; at open
   * with an analysis limit so a big store opens quickly). Best effort: a read-only store skips it.
   */
  optimize(atOpen = false): void {
    try {
      this.db.pragma(atOpen ? 'optimize = 0x10002' : 'optimize');
    } catch {
      // statistics are an optimisation; a store that cannot write them still works
    }
  }

  /** Cheap liveness probe for /readyz. */
  ping(): void {
    this.prepare('SELECT 1').get();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.optimize();
    this.db.close();
  }
}
