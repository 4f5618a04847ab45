import {
  CATEGORIES,
  type ExportFormat,
  type MessageFilters,
  type NamedCount,
  type SearchResult,
  type SortKey,
  type SortOrder,
} from '@ollama-lens/contracts';
import type { PromptInfo, ResponseInfo } from '../../tap/record';
import {
  CONTENT_SELECT,
  MESSAGE_SELECT,
  SUMMARY_SELECT,
  type ContentRow,
  type MessageRow,
  type SummaryRow,
} from '../columns';
import { formatExportPage, type ExportChunk } from '../export-format';
import { afterCursor, decodeCursor, encodeCursor, SORT_EXPRESSIONS } from '../filters';
import {
  END_OF_TIME,
  exportRowOf,
  SEARCH_SELECT,
  SESSION_LIMIT,
  type ExportPage,
  type KeyedRow,
  type MessageDetail,
  type Page,
  type PageRequest,
  type SearchRow,
  type ValueDimension,
} from '../queries';
import { hasDimFilter, rollupCompatible } from '../rollup';
import { promptText, responseText, toMessage, toSummary } from '../row';
import { snippet, toFtsQuery } from '../search-query';
import { rows, type Queryable } from './pool';
import { readRollupPg } from './rollup';
import { pgWhere } from './where';

/**
 * queries.ts on PostgreSQL: the same answers from the same column lists (columns.ts), cursors
 * (filters.ts) and row mapping (row.ts). The content columns live in `messages` itself here
 * (schema.ts), so the shared SELECT lists' `c.` (message_content) becomes `m.`.
 */

const inMessages = (select: string) => select.replace(/\bc\./g, 'm.');
const SUMMARY = inMessages(SUMMARY_SELECT);
const MESSAGE = inMessages(MESSAGE_SELECT);
const CONTENT = inMessages(CONTENT_SELECT);
const SEARCH = inMessages(SEARCH_SELECT);

export async function listMessagesPg(
  db: Queryable,
  filters: MessageFilters,
  page: PageRequest
): Promise<Page> {
  const extra = page.cursor ? [afterCursor(decodeCursor(page.cursor, page.sort, page.order))] : [];
  const where = pgWhere(filters, extra);
  if (where.empty) return { messages: [], next_cursor: null };
  const key = SORT_EXPRESSIONS[page.sort];
  const dir = page.order === 'desc' ? 'DESC' : 'ASC';
  const found = await rows<KeyedRow>(
    db,
    `SELECT ${SUMMARY}, ${key} AS sort_key FROM messages m ${where.sql} ORDER BY ${key} ${dir}, m.seq ${dir} LIMIT ?`,
    [...where.params, page.limit + 1]
  );
  const more = found.length > page.limit;
  const shown = more ? found.slice(0, page.limit) : found;
  const last = shown[shown.length - 1];
  return {
    messages: shown.map(toSummary),
    next_cursor:
      more && last
        ? encodeCursor({ sort: page.sort, order: page.order, key: last.sort_key, seq: last.seq })
        : null,
  };
}

export async function getMessagePg(db: Queryable, id: string): Promise<MessageDetail | undefined> {
  const found = await rows<MessageRow & ContentRow>(
    db,
    `SELECT ${MESSAGE}, ${CONTENT} FROM messages m WHERE m.id = ? ORDER BY m.seq LIMIT 1`,
    [id]
  );
  const row = found[0];
  if (!row) return undefined;
  const session = row.session
    ? await rows<SummaryRow>(
        db,
        `SELECT ${SUMMARY} FROM messages m WHERE m.session = ? AND m.seq <> ? ORDER BY m.started_at, m.seq LIMIT ?`,
        [row.session, row.seq, SESSION_LIMIT]
      )
    : [];
  return { message: toMessage(row, row), session_messages: session.map(toSummary) };
}

/** Search hits, newest first by insertion (as the FTS path walks rowids), with the same snippets. */
export async function searchPg(
  db: Queryable,
  filters: MessageFilters,
  limit: number
): Promise<SearchResult[]> {
  const fts = toFtsQuery(filters.q);
  if (fts.kind !== 'match') return [];
  const where = pgWhere(filters);
  if (where.empty) return [];
  const found = await rows<SearchRow>(
    db,
    `SELECT ${SEARCH} FROM messages m ${where.sql} ORDER BY m.seq DESC LIMIT ?`,
    [...where.params, limit]
  );
  return found.map((r) => ({
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

export async function valuesPg(
  db: Queryable,
  dim: ValueDimension,
  filters: MessageFilters,
  limit = 1000
): Promise<NamedCount[]> {
  const found =
    (await valuesFromRollups(db, dim, filters, limit)) ?? (await valuesFromMessages(db, dim, filters, limit));
  if (dim !== 'category') return found;
  const counts = new Map(found.map((r) => [r.name, r.messages]));
  return CATEGORIES.map((name) => ({ name, messages: counts.get(name) ?? 0 }));
}

/** queries.ts valuesFromRollups: when the rollups hold the filters. */
async function valuesFromRollups(
  db: Queryable,
  dim: ValueDimension,
  filters: MessageFilters,
  limit: number
): Promise<NamedCount[] | undefined> {
  if (!rollupCompatible(filters) || ((dim === 'user' || dim === 'host') && hasDimFilter(filters)))
    return undefined;
  const w = { from: filters.from ?? 0, to: filters.to ?? END_OF_TIME };
  if (w.from >= w.to) return [];
  const found = await readRollupPg(db, filters, w, {
    slice: dim === 'user' || dim === 'host' ? dim : 'dims',
    groupBy: [dim],
    measures: ['messages'],
  });
  return found
    .filter((r) => r.keys[0] !== null && r.v[0] > 0)
    .map((r) => ({ name: r.keys[0] as string, messages: r.v[0] }))
    .sort((a, b) => b.messages - a.messages || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .slice(0, limit);
}

async function valuesFromMessages(
  db: Queryable,
  dim: ValueDimension,
  filters: MessageFilters,
  limit: number
): Promise<NamedCount[]> {
  const col = dim === 'user' ? 'm."user"' : `m.${dim}`;
  const where = pgWhere(filters, dim === 'category' ? [] : [{ sql: `${col} IS NOT NULL`, params: [] }]);
  if (where.empty) return [];
  return rows<NamedCount>(
    db,
    `SELECT ${col} AS name, count(*) AS messages FROM messages m ${where.sql} GROUP BY ${col} ORDER BY messages DESC, name LIMIT ?`,
    [...where.params, limit]
  );
}

/** queries.ts exportPage: one independent keyset page (chunk timings never exported). */
export async function exportPagePg(
  db: Queryable,
  filters: MessageFilters,
  sort: SortKey,
  order: SortOrder,
  cursor: string | null,
  pageSize = 500
): Promise<ExportPage> {
  const extra = cursor ? [afterCursor(decodeCursor(cursor, sort, order))] : [];
  const where = pgWhere(filters, extra);
  if (where.empty) return { rows: [], next_cursor: null };
  const key = SORT_EXPRESSIONS[sort];
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  const raw = await rows<MessageRow & ContentRow & { sort_key: string | number }>(
    db,
    `SELECT ${MESSAGE}, m.prompt, m.response, NULL AS chunks, ${key} AS sort_key ` +
      `FROM messages m ${where.sql} ORDER BY ${key} ${dir}, m.seq ${dir} LIMIT ?`,
    [...where.params, pageSize]
  );
  const last = raw[raw.length - 1];
  return {
    rows: raw.map(exportRowOf),
    next_cursor:
      raw.length < pageSize || !last
        ? null
        : encodeCursor({ sort, order, key: last.sort_key, seq: last.seq }),
  };
}

/** export-format.ts exportChunk: one page of an export, formatted by the shared formatter. */
export async function exportChunkPg(
  db: Queryable,
  filters: MessageFilters,
  sort: SortKey,
  order: SortOrder,
  format: ExportFormat,
  cursor: string | null,
  rowsBefore: number,
  pageSize = 500
): Promise<ExportChunk> {
  return formatExportPage(await exportPagePg(db, filters, sort, order, cursor, pageSize), format, rowsBefore);
}
