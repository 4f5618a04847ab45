import Database from 'better-sqlite3';
import { EVENTS_LIMIT, type LensEvent } from '@ollama-lens/contracts';
import { EVENTS_MIGRATION, deleteEventsBefore, insertEvents, listEvents } from './events';

const T = 1_790_000_000_000;
const ev = (at: number, type: LensEvent['type'], model: string | null = null): LensEvent => ({
  at,
  type,
  model,
  details: { n: at - T, note: 'x', ok: true, none: null },
});

describe('the event log table', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec(EVENTS_MIGRATION);
  });
  afterEach(() => db.close());

  it('keeps events with their details and reads a range oldest first', () => {
    insertEvents(db, [
      ev(T + 2, 'model_loaded', 'tiny:latest'),
      ev(T + 1, 'ollama_up'),
      ev(T + 9, 'ollama_down'),
    ]);
    expect(listEvents(db, { from: T, to: T + 9 })).toEqual({
      events: [ev(T + 1, 'ollama_up'), ev(T + 2, 'model_loaded', 'tiny:latest')],
      truncated: false,
    });
  });

  it('filters by type and model', () => {
    insertEvents(db, [
      ev(T, 'model_loaded', 'a:latest'),
      ev(T + 1, 'model_loaded', 'b:latest'),
      ev(T + 2, 'ollama_up'),
    ]);
    const types = (q: Parameters<typeof listEvents>[1]) =>
      listEvents(db, q).events.map((e) => [e.type, e.model]);
    expect(types({ from: T, to: T + 10, types: ['ollama_up', 'ollama_down'] })).toEqual([
      ['ollama_up', null],
    ]);
    expect(types({ from: T, to: T + 10, models: ['b:latest'] })).toEqual([['model_loaded', 'b:latest']]);
  });

  it('a range with more than the limit returns the newest, and says so', () => {
    insertEvents(
      db,
      Array.from({ length: 10 }, (_, i) => ev(T + i, 'cold_start', 'a:latest'))
    );
    const page = listEvents(db, { from: T, to: T + 100, limit: 3 });
    expect(page.truncated).toBe(true);
    expect(page.events.map((e) => e.at)).toEqual([T + 7, T + 8, T + 9]);
    expect(listEvents(db, { from: T, to: T + 100, limit: EVENTS_LIMIT * 10 }).events).toHaveLength(10);
  });

  it('retention deletes what is older than the bound', () => {
    insertEvents(db, [ev(T, 'ollama_up'), ev(T + 5, 'ollama_down')]);
    expect(deleteEventsBefore(db, T + 1)).toBe(1);
    expect(listEvents(db, { from: 0, to: T + 10 }).events.map((e) => e.type)).toEqual(['ollama_down']);
  });
});
