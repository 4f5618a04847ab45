import type { MessageFilters } from '@ollama-lens/contracts';
import { buildWhere, type SqlParam, type Where } from '../filters';
import { toFtsQuery } from '../search-query';
import { toTsQuery } from './search-text';

/**
 * The filters as a WHERE clause over `messages m` for PostgreSQL: filters.ts buildWhere for every
 * filter but the search (one definition of what each filter means, `?` placeholders numbered when
 * run), and the search as the tsvector match of search-text.ts.
 */
export function pgWhere(f: MessageFilters, extra: { sql: string; params: SqlParam[] }[] = []): Where {
  const { q, ...rest } = f;
  const fts = toFtsQuery(q);
  const tsq = toTsQuery(fts);
  const search = tsq === null ? [] : [{ sql: 'm.search @@ ?::tsquery', params: [tsq] }];
  const w = buildWhere(rest, [...search, ...extra]);
  return { ...w, empty: fts.kind === 'empty' || (fts.kind === 'match' && tsq === null) };
}
