import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ExportFormat } from '@ollama-lens/contracts';
import { ERROR_RESPONSES, ExportBody, ExportQuery } from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { ExportChunk } from '../../store/export-format';
import type { AnalyticsContext } from '../plugin';
import { parseFilters } from '../params';

/** Rows per export page: one reader round trip each. */
const EXPORT_PAGE_ROWS = 500;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * Streams the filtered messages as CSV, NDJSON or a JSON array. Rows are read page by page (keyset,
 * 500 at a time) only as fast as the client takes them, so memory stays flat for any size.
 */
export function registerExportRoutes(app: FastifyInstance, ctx: AnalyticsContext): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/analytics/export',
      { schema: { querystring: ExportQuery, response: { 200: ExportBody, ...ERROR_RESPONSES } } },
      async (req, reply) => {
        const { format, sort, order } = req.query;
        const filters = parseFilters(req.query);
        // Each page is read and formatted by whichever reader is free, within the query budget; the
        // next page is asked for only when the client has taken the previous one (backpressure).
        const nextChunk = (cursor: string | null, rowsBefore: number): Promise<ExportChunk> =>
          ctx.query('exportChunk', filters, sort, order, format, cursor, rowsBefore, EXPORT_PAGE_ROWS);
        // Read the first page now: a failing query is still a proper JSON error, not a cut-off download.
        const first = await nextChunk(null, 0);
        const body = Readable.from(
          (async function* () {
            if (format === 'json') yield '[';
            let chunk = first;
            let rows = 0;
            for (;;) {
              rows += chunk.rows;
              if (chunk.text) yield chunk.text;
              if (!chunk.next_cursor) break;
              chunk = await nextChunk(chunk.next_cursor, rows);
            }
            if (format === 'json') yield rows === 0 ? ']\n' : '\n]\n';
          })()
        );
        return reply
          .header('content-disposition', `attachment; filename="ollama-lens-messages.${format}"`)
          .header('cache-control', 'no-store')
          .type(CONTENT_TYPES[format])
          .send(body);
      }
    );
}
