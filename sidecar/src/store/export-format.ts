/**
 * Export formatting: a page of messages as CSV, NDJSON or part of a JSON array. It runs in a reader
 * thread (with the page's query), so a whole-store download never formats a row on the proxy's thread.
 */
import { stringify } from 'csv-stringify/sync';
import { exportPage, type ExportPage, type ExportRow } from './queries';
import type { MessageStore } from './store';
import type { ExportFormat, MessageFilters, SortKey, SortOrder } from '@ollama-lens/contracts';

export const CSV_COLUMNS = [
  'id',
  'started_at',
  'model',
  'endpoint',
  'user',
  'session',
  'status',
  'http_status',
  'category',
  'input_tokens',
  'output_tokens',
  'duration_ms',
  'ttft_ms',
  'queue_ms',
  'tokens_per_second',
  'cost',
  'input_cost',
  'output_cost',
  'error_type',
  'error_message',
  'host',
  'origin',
  'prompt',
  'response',
] as const;

/**
 * Spreadsheet apps run a cell starting with = + - @ (or a tab/CR) as a formula; prompts are untrusted
 * text, so such cells get a leading apostrophe (the OWASP "CSV injection" advice).
 */
export function csvSafe(v: string | number | null): string | number | null {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

function csvRecord(r: ExportRow): (string | number | null)[] {
  const m = r.message;
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
    id: m.id,
    started_at: new Date(m.started_at).toISOString(),
    model: m.model,
    endpoint: m.endpoint,
    user: m.user,
    session: m.session,
    status: m.status,
    http_status: m.http_status,
    category: m.category,
    input_tokens: m.input_tokens,
    output_tokens: m.output_tokens,
    duration_ms: m.duration_ms,
    ttft_ms: m.ttft_ms,
    queue_ms: m.queue_ms,
    tokens_per_second: m.tokens_per_second,
    cost: m.cost,
    input_cost: m.input_cost,
    output_cost: m.output_cost,
    error_type: m.error_type,
    error_message: m.error_message,
    host: m.host,
    origin: m.origin,
    prompt: r.prompt_text,
    response: r.response_text,
  };
  return CSV_COLUMNS.map((c) => csvSafe(values[c]));
}

/** The exported object: the whole message except its chunk timings (see docs/api.md). */
function exportObject(r: ExportRow): Omit<ExportRow['message'], 'chunks'> {
  const { chunks: _chunks, ...rest } = r.message;
  return rest;
}

export interface ExportChunk {
  /** The page as text, ready to send. */
  text: string;
  rows: number;
  next_cursor: string | null;
}

/**
 * One page of an export, formatted. `rowsBefore` is how many rows earlier pages held: the CSV header
 * comes with the first page, and a JSON array's separators depend on it. The array's brackets are
 * the caller's (they come even when there is no page).
 */
export function exportChunk(
  store: MessageStore,
  filters: MessageFilters,
  sort: SortKey,
  order: SortOrder,
  format: ExportFormat,
  cursor: string | null,
  rowsBefore: number,
  pageSize = 500
): ExportChunk {
  return formatExportPage(exportPage(store, filters, sort, order, cursor, pageSize), format, rowsBefore);
}

/** One export page as text in the given format (shared by the stores: the PostgreSQL one reads its own pages). */
export function formatExportPage(page: ExportPage, format: ExportFormat, rowsBefore: number): ExportChunk {
  let text: string;
  if (format === 'csv') {
    text = stringify(page.rows.map(csvRecord), { header: rowsBefore === 0, columns: [...CSV_COLUMNS] });
    // The header alone, for an export with no rows (as a spreadsheet expects).
    if (rowsBefore === 0 && page.rows.length === 0)
      text = stringify([], { header: true, columns: [...CSV_COLUMNS] });
  } else if (format === 'ndjson') {
    text = page.rows.map((r) => JSON.stringify(exportObject(r)) + '\n').join('');
  } else {
    text = page.rows
      .map((r, i) => (rowsBefore + i === 0 ? '\n' : ',\n') + JSON.stringify(exportObject(r)))
      .join('');
  }
  return { text, rows: page.rows.length, next_cursor: page.next_cursor };
}
