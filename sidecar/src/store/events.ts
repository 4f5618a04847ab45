/**
 * The event log's table: a few events an hour (model loads, restarts, drops), so one narrow table with
 * a time index; details are a small JSON object. Written by the writer thread, read by reader threads.
 */
import type Database from 'better-sqlite3';
import { EVENTS_LIMIT, type EventDetail, type EventType, type LensEvent } from '@ollama-lens/contracts';

/** The migration that adds the table (appended to the store's MIGRATIONS). */
export const EVENTS_MIGRATION = `
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  model TEXT,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_at ON events (at);
`;

export interface EventQuery {
  from: number;
  to: number;
  types?: readonly EventType[];
  models?: readonly string[];
  limit?: number;
}

export interface EventPage {
  /** Oldest first. */
  events: LensEvent[];
  /** True when the range held more than the limit: the newest ones are returned. */
  truncated: boolean;
}

export function insertEvents(db: Database.Database, events: readonly LensEvent[]): void {
  if (events.length === 0) return;
  const insert = db.prepare('INSERT INTO events (at, type, model, details) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const e of events) insert.run(e.at, e.type, e.model, JSON.stringify(e.details));
  })();
}

interface EventRow {
  at: number;
  type: EventType;
  model: string | null;
  details: string;
}

export function listEvents(db: Database.Database, q: EventQuery): EventPage {
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
  const rows = db
    .prepare(
      `SELECT at, type, model, details FROM events WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`
    )
    .all(...params, limit + 1) as EventRow[];
  const truncated = rows.length > limit;
  const events = rows
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

export function deleteEventsBefore(db: Database.Database, before: number): number {
  return db.prepare('DELETE FROM events WHERE at < ?').run(before).changes;
}
