import {
  afterCursor,
  buildWhere,
  decodeCursor,
  encodeCursor,
  INDEXED_SORTS,
  planSearch,
  SORT_EXPRESSIONS,
  windowSizeEstimate,
} from './filters';

import type { PromptInfo, ResponseInfo } from '../tap/record';
import {
  CONTENT_SELECT,
  MESSAGE_SELECT,
  selectList,
  SUMMARY_SELECT,
  type ContentRow,
  type MessageRow,
  type SummaryRow,
  type Values,
} from './columns';
import { promptText, responseText, toMessage, toSummary } from './row';
import { hasDimFilter, readRollup, rollupCompatible } from './rollup';
import { snippet, toFtsQuery } from './search-query';
import type { MessageStore } from './store';
import {
  CATEGORIES,
  type Message,
  type MessageFilters,
  type MessageSummary,
  type NamedCount,
  type SearchResult,
  type SortKey,
  type SortOrder,
} from '@ollama-lens/contracts';

/** Above this many messages in the window, sorting the window costs more than reading a sort index. */
const WIDE_WINDOW_ROWS = 2000;

/** The Explorer's reads: a page of messages, one message, search hits, export pages, variable values. */

export interface PageRequest {
  sort: SortKey;
  order: SortOrder;
  limit: number;
  cursor?: string;
}

export interface Page {
  messages: MessageSummary[];
  next_cursor: string | null;
}

export type KeyedRow = SummaryRow & { sort_key: string | number };

/** One keyset page. Stable under inserts: the cursor is the last row's (sort key, seq). */
export function listMessages(store: MessageStore, filters: MessageFilters, page: PageRequest): Page {
  const rows = pageRows(store, filters, page);
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const last = shown[shown.length - 1];
  return {
    messages: shown.map(toSummary),
    next_cursor:
      more && last
        ? encodeCursor({ sort: page.sort, order: page.order, key: last.sort_key, seq: last.seq })
        : null,
  };
}

function pageRows(store: MessageStore, filters: MessageFilters, page: PageRequest): KeyedRow[] {
  const extra = page.cursor ? [afterCursor(decodeCursor(page.cursor, page.sort, page.order))] : [];
  // Over a wide window, a sort with its own index is read in that index's order (one page, no sort).
  const wide = INDEXED_SORTS.has(page.sort) && windowSizeEstimate(store, filters) > WIDE_WINDOW_ROWS;
  const where = buildWhere(filters, extra, planSearch(store, filters, true), { timeUnindexed: wide });
  if (where.empty) return [];
  const key = SORT_EXPRESSIONS[page.sort];
  const dir = page.order === 'desc' ? 'DESC' : 'ASC';
  const sql =
    `SELECT ${SUMMARY_SELECT}, ${key} AS sort_key FROM messages m LEFT JOIN message_content c ON c.seq = m.seq ` +
    `${where.sql} ORDER BY ${key} ${dir}, m.seq ${dir} LIMIT ?`;
  return store.prepare(sql).all(...where.params, page.limit + 1) as KeyedRow[];
}

export interface ExportPage {
  rows: ExportRow[];
  /** Where the next page starts; null after the last page. */
  next_cursor: string | null;
}

/**
 * One page of an export, resumable from its cursor by any connection (each page is an independent
 * query, so a slow download never holds a statement, a connection or a reader thread between pages).
 */
export function exportPage(
  store: MessageStore,
  filters: MessageFilters,
  sort: SortKey,
  order: SortOrder,
  cursor: string | null,
  pageSize = 500
): ExportPage {
  const extra = cursor ? [afterCursor(decodeCursor(cursor, sort, order))] : [];
  const where = buildWhere(filters, extra, planSearch(store, filters, false));
  if (where.empty) return { rows: [], next_cursor: null };
  const key = SORT_EXPRESSIONS[sort];
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  const sql =
    // The chunk timings are never exported: read as NULL.
    `SELECT ${MESSAGE_SELECT}, c.prompt, c.response, NULL AS chunks, ${key} AS sort_key ` +
    `FROM messages m LEFT JOIN message_content c ON c.seq = m.seq ${where.sql} ORDER BY ${key} ${dir}, m.seq ${dir} LIMIT ?`;
  const raw = store.prepare(sql).all(...where.params, pageSize) as (MessageRow &
    ContentRow & { sort_key: string | number })[];
  const rows = raw.map(exportRowOf);
  const last = raw[raw.length - 1];
  return {
    rows,
    next_cursor:
      raw.length < pageSize || !last
        ? null
        : encodeCursor({ sort, order, key: last.sort_key, seq: last.seq }),
  };
}

/** Every filtered message in the requested order, page by page (for exports on one connection). */
export function* exportPages(
  store: MessageStore,
  filters: MessageFilters,
  sort: SortKey,
  order: SortOrder,
  pageSize = 500
): Generator<ExportRow[]> {
  let cursor: string | null = null;
  do {
    const page = exportPage(store, filters, sort, order, cursor, pageSize);
    if (page.rows.length > 0) yield page.rows;
    cursor = page.next_cursor;
  } while (cursor);
}

/** An export row from a row holding the message's columns and its content. */
export function exportRowOf(r: MessageRow & ContentRow): ExportRow {
  const message = toMessage(r, r);
  return {
    message,
    prompt_text: message.prompt ? promptText(message.prompt) : null,
    response_text: message.response ? responseText(message.response) : null,
  };
}

export interface ExportRow {
  /** The whole message except its chunk timings. */
  message: Message;
  prompt_text: string | null;
  response_text: string | null;
}

export interface MessageDetail {
  message: Message;
  session_messages: MessageSummary[];
}

export const SESSION_LIMIT = 50;

export function getMessage(store: MessageStore, id: string): MessageDetail | undefined {
  const row = store
    .prepare(
      `SELECT ${MESSAGE_SELECT} FROM messages m LEFT JOIN message_content c ON c.seq = m.seq WHERE m.id = ?`
    )
    .get(id) as MessageRow | undefined;
  if (!row) return undefined;
  const content = store
    .prepare(`SELECT ${CONTENT_SELECT} FROM message_content c WHERE c.seq = ?`)
    .get(row.seq) as ContentRow | undefined;
  const session = row.session
    ? (store
        .prepare(
          `SELECT ${SUMMARY_SELECT} FROM messages m LEFT JOIN message_content c ON c.seq = m.seq ` +
            'WHERE m.session = ? AND m.seq <> ? ORDER BY m.started_at, m.seq LIMIT ?'
        )
        .all(row.session, row.seq, SESSION_LIMIT) as SummaryRow[])
    : [];
  return { message: toMessage(row, content), session_messages: session.map(toSummary) };
}

/** What a search hit is made of. */
export const SEARCH_COLUMNS = ['id', 'started_at', 'model', 'user', 'status', 'prompt', 'response'] as const;
export type SearchRow = Values<(typeof SEARCH_COLUMNS)[number]>;
export const SEARCH_SELECT = selectList(SEARCH_COLUMNS);

/**
 * Full-text hits with highlighted snippets, newest first. The FTS index is walked in rowid order
 * (insertion order, which follows time) and the walk stops at `limit`, so common words stay fast;
 * the snippets are cut from the stored prompt and response around the matches.
 */
export function search(store: MessageStore, filters: MessageFilters, limit: number): SearchResult[] {
  const { q, ...rest } = filters;
  const fts = toFtsQuery(q);
  if (fts.kind !== 'match') return [];
  const where = buildWhere(rest);
  if (where.empty) return [];
  const conds = where.sql ? where.sql.replace(/^WHERE /, 'AND ') : '';
  const rows = store
    .prepare(
      `SELECT ${SEARCH_SELECT} ` +
        `FROM messages_fts f JOIN messages m ON m.seq = f.rowid LEFT JOIN message_content c ON c.seq = f.rowid ` +
        `WHERE messages_fts MATCH ? ${conds} ORDER BY f.rowid DESC LIMIT ?`
    )
    .all(fts.expression, ...where.params, limit) as SearchRow[];
  return rows.map((r) => ({
    id: r.id,
    started_at: r.started_at,
    model: r.model,
    user: r.user,
    status: r.status,
    prompt_snippet: snippet(r.prompt ? promptText(JSON.parse(r.prompt) as PromptInfo) : null, fts.terms),
    response_snippet: snippet(
      r.response ? responseText(JSON.parse(r.response) as ResponseInfo) : null,
      fts.terms
    ),
  }));
}

export type ValueDimension = 'model' | 'user' | 'category' | 'host';

/** Distinct values with their message counts (for Grafana variables), most used first. */
export function values(
  store: MessageStore,
  dim: ValueDimension,
  filters: MessageFilters,
  limit = 1000
): NamedCount[] {
  const rows =
    valuesFromRollups(store, dim, filters, limit) ?? valuesFromMessages(store, dim, filters, limit);
  if (dim !== 'category') return rows;
  // The category variable always offers all six, even before any message used one.
  const counts = new Map(rows.map((r) => [r.name, r.messages]));
  return CATEGORIES.map((name) => ({ name, messages: counts.get(name) ?? 0 }));
}

/** Latest representable instant (JS Date's limit): "no upper bound" for a rollup read. */
export const END_OF_TIME = 8.64e15;

/**
 * From the rollups when they hold the filters (a few rows per day instead of every message): model
 * and category under time/model/status/category/endpoint filters, user under a time window only.
 */
function valuesFromRollups(
  store: MessageStore,
  dim: ValueDimension,
  filters: MessageFilters,
  limit: number
): NamedCount[] | undefined {
  // The user and host slices are keyed by nothing else: a time window at most.
  if (!rollupCompatible(filters) || ((dim === 'user' || dim === 'host') && hasDimFilter(filters)))
    return undefined;
  const w = { from: filters.from ?? 0, to: filters.to ?? END_OF_TIME };
  if (w.from >= w.to) return [];
  const rows = readRollup(store, filters, w, {
    slice: dim === 'user' || dim === 'host' ? dim : 'dims',
    groupBy: [dim],
    measures: ['messages'],
  });
  return rows
    .filter((r) => r.keys[0] !== null && r.v[0] > 0)
    .map((r) => ({ name: r.keys[0] as string, messages: r.v[0] }))
    .sort((a, b) => b.messages - a.messages || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .slice(0, limit);
}

function valuesFromMessages(
  store: MessageStore,
  dim: ValueDimension,
  filters: MessageFilters,
  limit: number
): NamedCount[] {
  const where = buildWhere(
    filters,
    dim === 'category' ? [] : [{ sql: `m.${dim} IS NOT NULL`, params: [] }],
    planSearch(store, filters, false)
  );
  const rows = where.empty
    ? []
    : (store
        .prepare(
          `SELECT m.${dim} AS name, count(*) AS messages FROM messages m ${where.sql} GROUP BY m.${dim} ORDER BY messages DESC, name LIMIT ?`
        )
        .all(...where.params, limit) as NamedCount[]);
  return rows;
}
