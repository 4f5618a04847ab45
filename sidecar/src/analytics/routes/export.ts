import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyInstance } from 'fastify';
import type { ExportPage, ExportRow } from '../../store/queries';
import type { AnalyticsContext } from '../plugin';
import { parseFilters, type FilterQuery, type SortQuery } from '../params';
import { ERROR_RESPONSES, querystring, SORT_PROPERTIES } from '../schemas';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'json'] as const;
/** Rows per export page: one reader round trip each. */
const EXPORT_PAGE_ROWS = 500;
type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

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
  'error_type',
  'error_message',
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
    error_type: m.error_type,
    error_message: m.error_message,
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

/**
 * Streams the filtered messages as CSV, NDJSON or a JSON array. Rows are read page by page (keyset,
 * 500 at a time) only as fast as the client takes them, so memory stays flat for any size.
 */
export function registerExportRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app.get<{ Querystring: FilterQuery & SortQuery & { format: ExportFormat } }>(
    '/analytics/export',
    {
      schema: {
        querystring: querystring({
          ...SORT_PROPERTIES,
          format: { type: 'string', enum: [...EXPORT_FORMATS], default: 'csv' },
        }),
        // The body is a stream (not serialised by fastify); the schema documents it.
        response: {
          200: { type: 'string', description: 'CSV, NDJSON or a JSON array of messages, streamed' },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (req, reply) => {
      const { format, sort, order } = req.query;
      const filters = parseFilters(req.query);
      // Each page is its own query on whichever reader is free, within the query budget; the next
      // page is asked for only when the client has taken the previous one (backpressure).
      const nextPage = (cursor: string | null): Promise<ExportPage> =>
        ctx.query('exportPage', filters, sort, order, cursor, EXPORT_PAGE_ROWS);
      // Read the first page now: a failing query is still a proper JSON error, not a cut-off download.
      const first = await nextPage(null);
      async function* allPages(): AsyncGenerator<ExportRow[]> {
        let page = first;
        for (;;) {
          if (page.rows.length > 0) yield page.rows;
          if (!page.next_cursor) return;
          page = await nextPage(page.next_cursor);
        }
      }

      let body: Readable;
      if (format === 'csv') {
        const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
        body = csv;
        pipeline(
          Readable.from(
            (async function* () {
              for await (const page of allPages()) for (const r of page) yield csvRecord(r);
            })()
          ),
          csv,
          (err) => {
            if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') req.log.error({ err }, 'export failed');
          }
        );
      } else if (format === 'ndjson') {
        // One chunk per page: 500 lines per write instead of one write per line.
        body = Readable.from(
          (async function* () {
            for await (const page of allPages())
              yield page.map((r) => JSON.stringify(exportObject(r)) + '\n').join('');
          })()
        );
      } else {
        body = Readable.from(
          (async function* () {
            let n = 0;
            yield '[';
            for await (const page of allPages())
              yield page.map((r) => (n++ === 0 ? '\n' : ',\n') + JSON.stringify(exportObject(r))).join('');
            yield n === 0 ? ']\n' : '\n]\n';
          })()
        );
      }
      return reply
        .header('content-disposition', `attachment; filename="ollama-lens-messages.${format}"`)
        .header('cache-control', 'no-store')
        .type(CONTENT_TYPES[format])
        .send(body);
    }
  );
}
