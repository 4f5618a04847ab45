import { canonicalModelName } from '../metrics/labels';
import { toFtsQuery } from './search-query';
import type { MessageStore } from './store';
import type { MessageFilters, SortKey, SortOrder } from '@ollama-lens/contracts';

/**
 * The common filters as a parameterised WHERE clause over `messages m`. User values only ever travel
 * as bound parameters; the SQL text depends only on which filters are present, so the prepared
 * statement cache stays small.
 */

export type SqlParam = string | number;

export interface Where {
  /** `WHERE …` or '' when nothing filters. */
  sql: string;
  params: SqlParam[];
  /** The search can match nothing (e.g. only punctuation): the query may skip the database. */
  empty: boolean;
}

/**
 * How the full-text condition joins the other filters. By default the matching rowids form a set the
 * rows are checked against; a time window narrows that set to the window's seq range (rows are
 * inserted in time order, so the window is one seq range and the index is read only there); `probe`
 * checks each candidate row against the index instead, which is far cheaper when a common word would
 * make the set huge and the query stops after one page anyway.
 */
export interface SearchPlan {
  /** Inclusive seq range holding every row of the time window; null = the window is empty. */
  seqRange?: [number, number] | null;
  probe?: boolean;
}

/**
 * A page probes when at least this share of the candidate rows match (then it fills after a few
 * probes), and there are enough matches for the rowid set to cost more than the probes.
 */
const PROBE_DENSITY = 0.2;
const PROBE_MIN_MATCHES = 1000;

/** Works out the SearchPlan for a filter set: only needed when there is a search term. */
export function planSearch(store: MessageStore, f: MessageFilters, forPage: boolean): SearchPlan {
  const fts = toFtsQuery(f.q);
  if (fts.kind !== 'match') return {};
  const windowed = f.from !== undefined || f.to !== undefined;
  const r = (
    windowed
      ? store
          .prepare(
            'SELECT min(seq) AS lo, max(seq) AS hi FROM messages WHERE started_at >= ? AND started_at < ?'
          )
          .get(f.from ?? 0, f.to ?? Number.MAX_SAFE_INTEGER)
      : store.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM messages').get()
  ) as { lo: number | null; hi: number | null };
  if (r.lo === null || r.hi === null) return { seqRange: null };
  if (forPage) {
    const cap = Math.max(PROBE_MIN_MATCHES, Math.ceil((r.hi - r.lo + 1) * PROBE_DENSITY));
    // Counted newest first: FTS5 walks a doclist from one end (a lower rowid bound is not a seek), and
    // windows usually end now.
    const matches = store
      .prepare(
        'SELECT count(*) FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ? ' +
          'ORDER BY rowid DESC LIMIT ?)'
      )
      .pluck()
      .get(fts.expression, r.lo, r.hi, cap) as number;
    if (matches >= cap) return { probe: true };
  }
  return windowed ? { seqRange: [r.lo, r.hi] } : {};
}

export interface WhereOptions {
  /**
   * Keep the time range out of the indexes (`+m.started_at`), so a page sorted by latency, tokens,
   * model or user reads that sort's index in order over a wide window instead of sorting the window.
   */
  timeUnindexed?: boolean;
}

/**
 * The model filter's values by their canonical names (metrics/labels.ts), as the store keeps them: a
 * link or a user asking for `tiny` finds the messages of `tiny:latest`.
 */
export function modelFilterValues(vs: readonly string[] | undefined): string[] | undefined {
  return vs?.map((v) => canonicalModelName(v) ?? v);
}

export function buildWhere(
  f: MessageFilters,
  extra: { sql: string; params: SqlParam[] }[] = [],
  plan: SearchPlan = {},
  opts: WhereOptions = {}
): Where {
  const conds: string[] = [];
  const params: SqlParam[] = [];
  const eq = (col: string, v: string | undefined) => {
    if (v === undefined) return;
    conds.push(`${col} = ?`);
    params.push(v);
  };
  const oneOf = (col: string, vs: string[] | undefined) => {
    if (!vs || vs.length === 0) return;
    conds.push(vs.length === 1 ? `${col} = ?` : `${col} IN (${vs.map(() => '?').join(', ')})`);
    params.push(...vs);
  };
  const range = (col: string, min: number | undefined, max: number | undefined) => {
    if (min !== undefined) {
      conds.push(`${col} >= ?`);
      params.push(min);
    }
    if (max !== undefined) {
      conds.push(`${col} <= ?`);
      params.push(max);
    }
  };
  const time = opts.timeUnindexed ? '+m.started_at' : 'm.started_at';
  if (f.from !== undefined) {
    conds.push(`${time} >= ?`);
    params.push(f.from);
  }
  if (f.to !== undefined) {
    conds.push(`${time} < ?`);
    params.push(f.to);
  }
  oneOf('m.model', modelFilterValues(f.model));
  oneOf('m.status', f.status);
  oneOf('m.category', f.category);
  oneOf('m.host', f.host);
  oneOf('m.origin', f.origin);
  eq('m.user', f.user);
  eq('m.session', f.session);
  eq('m.endpoint', f.endpoint);
  range('m.input_tokens', f.min_input_tokens, f.max_input_tokens);
  range('m.output_tokens', f.min_output_tokens, f.max_output_tokens);
  range('m.duration_ms', f.min_latency_ms, f.max_latency_ms);
  const fts = toFtsQuery(f.q);
  if (fts.kind === 'match') {
    if (plan.probe) {
      conds.push('EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND rowid = m.seq)');
      params.push(fts.expression);
    } else if (plan.seqRange) {
      conds.push(
        'm.seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ?)'
      );
      params.push(fts.expression, plan.seqRange[0], plan.seqRange[1]);
    } else {
      conds.push('m.seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
      params.push(fts.expression);
    }
  }
  for (const e of extra) {
    conds.push(e.sql);
    params.push(...e.params);
  }
  return {
    sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '',
    params,
    empty: fts.kind === 'empty' || (fts.kind === 'match' && plan.seqRange === null),
  };
}

/** Sort key expressions; they match the schema's sort indexes exactly so the planner can use them. */
export const SORT_EXPRESSIONS: Record<SortKey, string> = {
  time: 'm.started_at',
  model: "coalesce(m.model, '')",
  user: "coalesce(m.user, '')",
  input_tokens: 'coalesce(m.input_tokens, -1)',
  output_tokens: 'coalesce(m.output_tokens, -1)',
  tokens: 'm.tokens',
  latency: 'm.duration_ms',
};

const TEXT_SORTS: ReadonlySet<SortKey> = new Set(['model', 'user']);

/**
 * Sorts with an index of their own (schema.ts), worth reading in order over a wide window. (time is
 * served by messages_time together with the window itself.)
 */
export const INDEXED_SORTS: ReadonlySet<SortKey> = new Set([
  'latency',
  'tokens',
  'input_tokens',
  'output_tokens',
  'model',
  'user',
]);

/**
 * Roughly how many messages the time window holds, from two index seeks (seq follows insertion,
 * which follows time): enough to tell a wide window from a narrow one.
 */
export function windowSizeEstimate(store: MessageStore, f: MessageFilters): number {
  const first = store
    .prepare('SELECT seq FROM messages WHERE started_at >= ? ORDER BY started_at LIMIT 1')
    .pluck()
    .get(f.from ?? 0) as number | undefined;
  const last = store
    .prepare('SELECT seq FROM messages WHERE started_at < ? ORDER BY started_at DESC LIMIT 1')
    .pluck()
    .get(f.to ?? Number.MAX_SAFE_INTEGER) as number | undefined;
  return first === undefined || last === undefined ? 0 : Math.max(0, last - first + 1);
}

export class CursorError extends Error {}

interface CursorState {
  sort: SortKey;
  order: SortOrder;
  key: string | number;
  seq: number;
}

/** Opaque keyset cursor: the sort, its direction and the last row's (key, seq). */
export function encodeCursor(c: CursorState): string {
  return Buffer.from(JSON.stringify([c.sort, c.order, c.key, c.seq])).toString('base64url');
}

export function decodeCursor(raw: string, sort: SortKey, order: SortOrder): CursorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('invalid cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    (typeof parsed[2] !== 'string' && typeof parsed[2] !== 'number') ||
    !Number.isSafeInteger(parsed[3])
  ) {
    throw new CursorError('invalid cursor');
  }
  const [cs, co, key, seq] = parsed as [string, string, string | number, number];
  if (cs !== sort || co !== order) {
    throw new CursorError(
      `the cursor belongs to sort=${cs}&order=${co}, not sort=${sort}&order=${order}; start again without a cursor`
    );
  }
  if (typeof key !== (TEXT_SORTS.has(sort) ? 'string' : 'number')) throw new CursorError('invalid cursor');
  return { sort, order, key, seq };
}

/** The keyset condition "after the cursor" for the given sort. */
export function afterCursor(c: CursorState): { sql: string; params: SqlParam[] } {
  const op = c.order === 'desc' ? '<' : '>';
  return { sql: `(${SORT_EXPRESSIONS[c.sort]}, m.seq) ${op} (?, ?)`, params: [c.key, c.seq] };
}
