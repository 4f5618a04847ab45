import { words, type FtsQuery, type QueryTerm } from '../search-query';

/**
 * Full-text search on PostgreSQL with the same words, syntax and safety as the SQLite FTS path. The
 * words are cut by search-query.ts's tokenizer (the one that mirrors FTS5's unicode61, case- and
 * accent-folded) on both sides: the stored tsvector is built from its tokens here rather than by a
 * text search configuration (whose parser cuts words differently), and a query is rendered from the
 * parsed terms of toFtsQuery, every token a quoted lexeme. So nothing the user typed is ever tsquery
 * syntax: `&`, `|`, `!`, `<->`, `:*` and parentheses are characters inside quoted lexemes at most
 * (and the tokenizer keeps only letters, digits and marks anyway).
 */

/** tsvector positions stop at 16383 (PostgreSQL's limit); later words share the last position. */
const MAX_POSITION = 16383;
/** PostgreSQL keeps at most 256 positions per lexeme. */
const MAX_POSITIONS_PER_LEXEME = 256;
/** A lexeme longer than this (bytes) is refused by PostgreSQL; such a "word" is left out. */
const MAX_LEXEME_BYTES = 2046;
/**
 * The tsvector literal stops growing here (PostgreSQL's limit for a tsvector is 1 MB): the words of a
 * huge prompt past it are not searchable, the rest of the message is stored as usual.
 */
const MAX_LITERAL_CHARS = 512 * 1024;
/** Positions between the prompt's words and the response's, so a phrase never spans the two texts. */
const TEXT_GAP = 2;

function quoteLexeme(t: string): string {
  // The tokenizer's words hold neither character; a query's terms come from it too, but stay safe anyway.
  return /['\\]/.test(t) ? `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${t}'`;
}

/** A word of this many UTF-16 units or fewer fits MAX_LEXEME_BYTES in UTF-8 (3 bytes per unit at most). */
const SURELY_SHORT = Math.floor(MAX_LEXEME_BYTES / 3);

/**
 * The tsvector literal (text form, cast by the INSERT) of a message's prompt and response, or null.
 * On the writer's path for every message, so written for speed: a third of a batch's time here.
 */
export function tsvectorLiteral(texts: readonly string[]): string | null {
  const positions = new Map<string, number[]>();
  let pos = 0;
  let size = 0;
  for (const text of texts) {
    for (const norm of words(text)) {
      pos = Math.min(MAX_POSITION, pos + 1);
      if (norm.length > SURELY_SHORT && Buffer.byteLength(norm) > MAX_LEXEME_BYTES) continue;
      let list = positions.get(norm);
      if (!list) {
        if (size > MAX_LITERAL_CHARS) continue;
        list = [];
        positions.set(norm, list);
        size += norm.length + 4;
      }
      if (list.length < MAX_POSITIONS_PER_LEXEME && list[list.length - 1] !== pos) {
        list.push(pos);
        size += 6;
      }
    }
    pos = Math.min(MAX_POSITION, pos + TEXT_GAP);
  }
  if (positions.size === 0) return null;
  let out = '';
  for (const [lex, ps] of positions) out += `${out ? ' ' : ''}${quoteLexeme(lex)}:${ps.join(',')}`;
  return out;
}

function termQuery(term: QueryTerm): string {
  const n = term.tokens.length;
  const parts = term.tokens.map((t, i) => quoteLexeme(t) + (term.prefix && i === n - 1 ? ':*' : ''));
  return n === 1 ? parts[0] : `(${parts.join(' <-> ')})`;
}

/**
 * The tsquery text (bound as a parameter and cast) for a parsed search: every term's tokens as a
 * phrase, terms ANDed, a trailing `*` a prefix match. Null unless the search can match something.
 */
export function toTsQuery(q: FtsQuery): string | null {
  if (q.kind !== 'match') return null;
  const terms = q.terms.filter((t) => t.tokens.length > 0);
  return terms.length === 0 ? null : terms.map(termQuery).join(' & ');
}
