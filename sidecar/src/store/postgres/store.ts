import type pg from 'pg';
import { EVENTS_LIMIT, type EventDetail, type EventType, type LensEvent } from '@ollama-lens/contracts';
import { COLUMNS, CONTENT_COLUMNS, MESSAGE_COLUMNS } from '../columns';
import type { EventPage, EventQuery } from '../events';
import { MEASURES, measuresOf, ROLLUPS } from '../measures';
import type { PreparedRow } from '../row';
import { SparseSketch } from '../sketch';
import { DELETE_CHUNK } from '../store';
import { createPool, rows, transaction, type PoolOptions, type Queryable } from './pool';
import { migratePg, SCHEMA_LOCK } from './schema';
import { tsvectorLiteral } from './search-text';
import { pairsOfBlob } from './sketch';

export const DAY_MS = 86_400_000;
const quote = (c: string) => (c === 'user' ? '"user"' : c);

/** What a message contributes to the rollups (read from a prepared row, or from a deleted row). */
interface RollupInput {
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
}
const ROLLUP_INPUT_SQL =
  'started_at, model, category, status, endpoint, "user", host, input_tokens, output_tokens, cost, duration_ms';

interface Acc {
  sortKey: string;
  key: (string | number)[];
  v: number[];
  sketch: SparseSketch | null;
}

/** The messages partition holding one UTC day: messages_YYYYMMDD. */
export function partitionName(dayStart: number): string {
  return `messages_${new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The day a partition holds (its start, epoch ms), or null for a table that is not one. */
export function partitionDay(name: string): number | null {
  const m = /^messages_(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

const dayOf = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;

/** The INSERT's columns: every written message and content column, then the search vector. */
const INSERT_COLUMNS = [...MESSAGE_COLUMNS, ...CONTENT_COLUMNS];
const ARRAY_TYPE = { INTEGER: 'bigint[]', REAL: 'double precision[]', TEXT: 'text[]' } as const;
/**
 * One statement for the whole batch, whatever its size: each column travels as one array parameter
 * and unnest turns them back into rows (no parameter limit, one parse, one round trip). A duplicate
 * id (the same record twice) is skipped, as SQLite's INSERT OR IGNORE does.
 */
const INSERT_SQL =
  `INSERT INTO messages (${[...INSERT_COLUMNS.map(quote), 'search'].join(', ')}) ` +
  `SELECT ${[...INSERT_COLUMNS.map((_, i) => `c${i}`), `c${INSERT_COLUMNS.length}::tsvector`].join(', ')} FROM unnest(` +
  [
    ...INSERT_COLUMNS.map((c, i) => `$${i + 1}::${ARRAY_TYPE[COLUMNS[c].type]}`),
    `$${INSERT_COLUMNS.length + 1}::text[]`,
  ].join(', ') +
  `) AS u(${[...INSERT_COLUMNS.map((_, i) => `c${i}`), `c${INSERT_COLUMNS.length}`].join(', ')}) ` +
  'ON CONFLICT (id, started_at) DO NOTHING RETURNING id';

const AT = Object.fromEntries(MESSAGE_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof MESSAGE_COLUMNS)[number],
  number
>;

function inputOf(message: PreparedRow['message']): RollupInput {
  return {
    started_at: message[AT.started_at] as number,
    model: message[AT.model] as string | null,
    category: message[AT.category] as string,
    status: message[AT.status] as string,
    endpoint: message[AT.endpoint] as string,
    user: message[AT.user] as string | null,
    host: message[AT.host] as string | null,
    input_tokens: message[AT.input_tokens] as number | null,
    output_tokens: message[AT.output_tokens] as number | null,
    cost: message[AT.cost] as number | null,
    duration_ms: message[AT.duration_ms] as number,
  };
}

/** Parameters per rollup upsert statement at most (PostgreSQL allows 65535). */
const MAX_PARAMS = 30_000;

/**
 * The PostgreSQL message store: the write side (the writer thread's) and the event log. Every method
 * is async and may fail when the database is away; the caller counts and goes on (fail-open).
 * Readers use the pool directly (queries.ts, aggregate.ts).
 */
export class PgStore {
  readonly pool: pg.Pool;
  private migrated: Promise<void> | undefined;
  /** Days whose partition is known to exist (created here or found). */
  private readonly partitions = new Set<number>();
  private closed = false;

  constructor(opts: PoolOptions) {
    this.pool = createPool(opts);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Migrates once (retried on the next call after a failure: a database that is down at start is
   * picked up when it comes back, without a restart).
   */
  ready(): Promise<void> {
    this.migrated ??= migratePg(this.pool).then(
      () => undefined,
      (err: unknown) => {
        this.migrated = undefined;
        throw err;
      }
    );
    return this.migrated;
  }

  /** Creates the daily partitions the given times fall in (and the next day's, ahead of need). */
  async ensurePartitions(times: Iterable<number>): Promise<void> {
    const days = new Set<number>();
    for (const t of times) {
      const d = dayOf(t);
      if (!this.partitions.has(d)) days.add(d);
      if (!this.partitions.has(d + DAY_MS) && d === dayOf(Date.now())) days.add(d + DAY_MS);
    }
    if (days.size === 0) return;
    await transaction(this.pool, async (c) => {
      // Several sidecars may create the same day at once: one at a time, each only if missing.
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      for (const d of [...days].sort((a, b) => a - b)) {
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(d)} PARTITION OF messages FOR VALUES FROM (${d}) TO (${d + DAY_MS})`
        );
      }
    });
    for (const d of days) this.partitions.add(d);
  }

  /** Writes rows in one transaction with their rollup upserts; returns how many were new. */
  async insert(batch: readonly PreparedRow[]): Promise<number> {
    await this.ready();
    // The same record twice in one batch counts once, as SQLite's row-by-row INSERT OR IGNORE does.
    const seen = new Set<string>();
    const unique = batch.filter((r) => {
      const id = r.message[AT.id] as string;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    if (unique.length === 0) return 0;
    await this.ensurePartitions(unique.map((r) => r.message[AT.started_at] as number));
    const params: unknown[] = INSERT_COLUMNS.map((_, i) =>
      unique.map((r) => (i < MESSAGE_COLUMNS.length ? r.message[i] : r.content[i - MESSAGE_COLUMNS.length]))
    );
    params.push(unique.map((r) => (r.fts ? tsvectorLiteral(r.fts) : null)));
    try {
      return await this.insertTx(unique, params);
    } catch (err) {
      // A partition dropped by another sidecar's retention since we cached it: find out again, once.
      if ((err as { code?: string }).code !== '23514') throw err;
      this.partitions.clear();
      await this.ensurePartitions(unique.map((r) => r.message[AT.started_at] as number));
      return this.insertTx(unique, params);
    }
  }

  private insertTx(unique: readonly PreparedRow[], params: unknown[]): Promise<number> {
    return transaction(this.pool, async (c) => {
      const res = await c.query<{ id: string }>(INSERT_SQL, params);
      const inserted = new Set(res.rows.map((r) => r.id));
      const added = unique
        .filter((r) => inserted.has(r.message[AT.id] as string))
        .map((r) => inputOf(r.message));
      await this.addToRollups(c, added, 1);
      return inserted.size;
    });
  }

  /**
   * Adds (sign 1) or takes away (sign -1) messages' measures in every rollup: summed per key here,
   * then one upsert per table whose conflict clause adds in SQL, so sidecars writing the same keys at
   * once merge instead of overwriting. Rows go in key order in every transaction, so two writers
   * lock shared keys in the same order and never deadlock.
   */
  private async addToRollups(c: Queryable, inputs: readonly RollupInput[], sign: 1 | -1): Promise<void> {
    if (inputs.length === 0) return;
    for (const r of ROLLUPS) {
      const { slice, tier } = r;
      const idx = slice.measures.map((m) => MEASURES.indexOf(m));
      const sums = new Map<string, Acc>();
      for (const m of inputs) {
        const t = Math.floor(m.started_at / tier.ms) * tier.ms;
        const key: (string | number)[] = [t];
        for (const d of slice.dims) key.push(m[d] ?? '');
        const k = JSON.stringify(key);
        let acc = sums.get(k);
        if (!acc) {
          acc = { sortKey: k, key, v: idx.map(() => 0), sketch: slice.sketch ? new SparseSketch() : null };
          sums.set(k, acc);
        }
        const v = measuresOf(m);
        for (let j = 0; j < idx.length; j++) acc.v[j] += sign * v[idx[j]];
        acc.sketch?.add(m.duration_ms, sign);
      }
      const accs = [...sums.values()].sort((a, b) =>
        a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0
      );
      const keyCols = ['t', ...slice.dims.map(quote)];
      const cols = [...keyCols, ...slice.measures, ...(slice.sketch ? ['sketch'] : [])];
      const set = [
        ...slice.measures.map((m) => `${m} = r.${m} + excluded.${m}`),
        ...(slice.sketch ? ['sketch = sketch_merge(r.sketch, excluded.sketch)'] : []),
      ].join(', ');
      const perStatement = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
      for (let at = 0; at < accs.length; at += perStatement) {
        const chunk = accs.slice(at, at + perStatement);
        const params: unknown[] = [];
        const tuples = chunk.map((a) => {
          const vals: unknown[] = [...a.key, ...a.v];
          if (a.sketch) vals.push(pairsOfBlob(a.sketch.encode()));
          const start = params.length;
          params.push(...vals);
          return `(${vals.map((_, i) => `$${start + i + 1}${a.sketch && i === vals.length - 1 ? '::integer[]' : ''}`).join(', ')})`;
        });
        await c.query(
          `INSERT INTO ${r.table} AS r (${cols.join(', ')}) VALUES ${tuples.join(', ')} ` +
            `ON CONFLICT (${keyCols.join(', ')}) DO UPDATE SET ${set}`,
          params
        );
      }
      if (sign < 0) {
        // Keys left without messages go, as in SQLite (store.ts dropEmpty).
        await c.query(`DELETE FROM ${r.table} WHERE messages <= 0 AND t BETWEEN $1 AND $2`, [
          Math.min(...accs.map((a) => a.key[0] as number)),
          Math.max(...accs.map((a) => a.key[0] as number)),
        ]);
      }
    }
  }

  /** Deletes the messages a condition selects (with `?` parameters), taking them out of the rollups. */
  private deleteWhere(where: string, params: readonly unknown[]): Promise<number> {
    return transaction(this.pool, async (c) => {
      const deleted = await rows<RollupInput>(
        c,
        `DELETE FROM messages m WHERE ${where} RETURNING ${ROLLUP_INPUT_SQL}`,
        params
      );
      await this.addToRollups(c, deleted, -1);
      return deleted.length;
    });
  }

  async deleteById(id: string): Promise<boolean> {
    await this.ready();
    return (await this.deleteWhere('m.id = ?', [id])) > 0;
  }

  /**
   * Deletes every message started before `before`: whole days by dropping their partitions (and
   * their rollup periods, which hold only them), the rest of the cut-off day row by row, in chunks.
   */
  async deleteBefore(before: number): Promise<number> {
    await this.ready();
    await this.deleteEventsBefore(before);
    let total = await this.dropDaysBefore(dayOf(before));
    for (;;) {
      const n = await this.deleteWhere(
        'm.seq IN (SELECT seq FROM messages WHERE started_at < ? ORDER BY started_at LIMIT ?)',
        [before, DELETE_CHUNK]
      );
      total += n;
      if (n < DELETE_CHUNK || this.closed) break;
    }
    return total;
  }

  /** The days that have a partition (their starts, ascending). */
  async partitionDays(): Promise<number[]> {
    const r = await rows<{ name: string }>(
      this.pool,
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass"
    );
    return r
      .map((x) => partitionDay(x.name))
      .filter((d): d is number => d !== null)
      .sort((a, b) => a - b);
  }

  /**
   * Retention by age: drops the partitions of the days entirely before `cutoff` (a day start), each
   * with its rollup periods, in one transaction per day. Returns the messages dropped.
   */
  async dropDaysBefore(cutoff: number): Promise<number> {
    await this.ready();
    let dropped = 0;
    for (const day of await this.partitionDays()) {
      if (day + DAY_MS > cutoff || this.closed) break;
      dropped += await transaction(this.pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        const name = partitionName(day);
        const exists = await c.query('SELECT to_regclass($1) AS r', [name]);
        if ((exists.rows[0] as { r: string | null }).r === null) return 0;
        const n = (await rows<{ n: number }>(c, `SELECT count(*) AS n FROM ${name}`))[0].n;
        await c.query(`DROP TABLE ${name}`);
        // Every rollup period of the day held only the day's messages (tiers divide a UTC day).
        for (const r of ROLLUPS)
          await c.query(`DELETE FROM ${r.table} WHERE t >= $1 AND t < $2`, [day, day + DAY_MS]);
        return n;
      });
      this.partitions.delete(day);
    }
    return dropped;
  }

  /** Bytes the store's tables occupy (every partition, its indexes and TOAST, the rollups, the events). */
  async usedBytes(): Promise<number> {
    const r = await rows<{ n: number }>(
      this.pool,
      "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c WHERE c.relkind = 'r' " +
        "AND c.relnamespace = current_schema()::regnamespace AND (c.relname LIKE 'messages\\_%' OR c.relname LIKE 'rollup\\_%' OR c.relname = 'events')"
    );
    return r[0].n;
  }

  /**
   * Retention by size (--max-db-mb): drops the oldest day partitions while the store is over
   * `limitBytes`, never the newest day (a store that one day's messages fill stays as it is). Whole
   * days, as age retention: a partition drop frees its space at once, with no per-row delete.
   */
  async dropOldestDaysOver(limitBytes: number): Promise<number> {
    await this.ready();
    let dropped = 0;
    let days = await this.partitionDays();
    while (days.length > 1 && !this.closed && (await this.usedBytes()) > limitBytes) {
      dropped += await this.dropDaysBefore(days[0] + DAY_MS);
      days = days.slice(1);
    }
    return dropped;
  }

  /** Deletes everything (TRUNCATE: no per-row work); the partitions stay. */
  async deleteAll(): Promise<number> {
    await this.ready();
    return transaction(this.pool, async (c) => {
      const n = (await rows<{ n: number }>(c, 'SELECT count(*) AS n FROM messages'))[0].n;
      await c.query(`TRUNCATE messages, events, ${ROLLUPS.map((r) => r.table).join(', ')}`);
      return n;
    });
  }

  async writeEvents(events: readonly LensEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.ready();
    await this.pool.query(
      'INSERT INTO events (at, type, model, details) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])',
      [
        events.map((e) => e.at),
        events.map((e) => e.type),
        events.map((e) => e.model),
        events.map((e) => JSON.stringify(e.details)),
      ]
    );
  }

  async deleteEventsBefore(before: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM events WHERE at < $1', [before]);
    return r.rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

interface EventRow {
  at: number;
  type: EventType;
  model: string | null;
  details: string;
}

/** The event log's read (events.ts listEvents, in PostgreSQL). */
export async function listEventsPg(db: Queryable, q: EventQuery): Promise<EventPage> {
  const limit = Math.min(q.limit ?? EVENTS_LIMIT, EVENTS_LIMIT);
  const where = ['at >= ?', 'at < ?'];
  const params: (string | number)[] = [q.from, q.to];
  if (q.types?.length) {
    where.push(`type IN (${q.types.map(() => '?').join(', ')})`);
    params.push(...q.types);
  }
  if (q.models?.length) {
    where.push(`model IN (${q.models.map(() => '?').join(', ')})`);
    params.push(...q.models);
  }
  const found = await rows<EventRow>(
    db,
    `SELECT at, type, model, details FROM events WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`,
    [...params, limit + 1]
  );
  const truncated = found.length > limit;
  const events = found
    .slice(0, limit)
    .reverse()
    .map((r) => ({
      at: r.at,
      type: r.type,
      model: r.model,
      details: JSON.parse(r.details) as Record<string, EventDetail>,
    }));
  return { events, truncated };
}
