import type { Segment } from '@ollama-lens/contracts';

/**
 * Turns what a person types into the search box into a safe FTS5 query. Nothing the user types is
 * ever FTS5 syntax: every word becomes a quoted string (so AND, OR, NOT, NEAR, `:`, `^`, `-`,
 * parentheses and column filters are plain text), "double-quoted text" stays an exact phrase, and a
 * trailing `*` asks for a prefix match. Words are ANDed.
 */

const MAX_TERMS = 32;
/** unicode61 indexes letters, digits and private-use characters; a term without any has no tokens. */
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
/** A word: letters, digits, private-use characters, and the combining marks attached to them. */
const WORD = /[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{Co}\p{M}]*/gu;

/** One searched term as the index sees it: its normalised tokens (a phrase when several). */
export interface QueryTerm {
  tokens: string[];
  prefix: boolean;
}

export type FtsQuery =
  /** Nothing to search for (empty input): no full-text filter. */
  | { kind: 'none' }
  /** Input that can match nothing in a word index (only punctuation, symbols, emoji). */
  | { kind: 'empty' }
  | { kind: 'match'; expression: string; terms: QueryTerm[] };

function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

export function toFtsQuery(input: string | undefined): FtsQuery {
  if (input === undefined || input.trim() === '') return { kind: 'none' };
  const terms: string[] = [];
  const parsed: QueryTerm[] = [];
  const add = (text: string, prefix: boolean) => {
    if (terms.length >= MAX_TERMS || !TOKEN_CHAR.test(text)) return;
    terms.push(quote(text) + (prefix ? '*' : ''));
    parsed.push({ tokens: tokenize(text).map((t) => t.norm), prefix });
  };
  const re = /"([^"]*)("?)(\*?)|(\S+)/g;
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    if (m[4] !== undefined) {
      const word = m[4];
      // A trailing * is a prefix search; any other * is just a character (dropped by the tokenizer).
      const prefix = word.length > 1 && word.endsWith('*') && TOKEN_CHAR.test(word.slice(-2, -1));
      add(prefix ? word.replace(/\*+$/, '') : word, prefix);
    } else {
      add(m[1], m[3] === '*' && m[2] === '"');
    }
  }
  return terms.length === 0
    ? { kind: 'empty' }
    : { kind: 'match', expression: terms.join(' '), terms: parsed };
}

interface Token {
  start: number;
  end: number;
  norm: string;
}

/**
 * Splits text into words the way FTS5's unicode61 tokenizer (remove_diacritics 2) does, closely
 * enough to find the matches again for highlighting: letters, digits, private-use characters (and the
 * combining marks attached to them), compared case- and accent-insensitively.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = new RegExp(WORD);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, norm: normalise(m[0]) });
  }
  return out;
}

/** tokenize's words alone, without their offsets: the write path's (PostgreSQL's search vector), where they cost. */
export function words(text: string): string[] {
  const out: string[] = [];
  const re = new RegExp(WORD);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(normalise(m[0]));
  return out;
}

function normalise(word: string): string {
  // Plain ASCII (most words) skips the Unicode normalisation.
  return /^[\x00-\x7f]*$/.test(word)
    ? word.toLowerCase()
    : word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function tokenMatches(token: string, want: string, prefix: boolean): boolean {
  return prefix ? token.startsWith(want) : token === want;
}

/** Texts longer than this are highlighted in their first part only (snippets show one window anyway). */
const HIGHLIGHT_SCAN_CHARS = 200_000;

/**
 * A snippet of `text` around its best window of matches, as segments. `windowTokens` words of
 * context at most; an ellipsis marks a cut. A text without a match gives its beginning.
 */
export function snippet(text: string | null, terms: readonly QueryTerm[], windowTokens = 24): Segment[] {
  if (!text) return [];
  const scanned = text.length > HIGHLIGHT_SCAN_CHARS ? text.slice(0, HIGHLIGHT_SCAN_CHARS) : text;
  const tokens = tokenize(scanned);
  if (tokens.length === 0) return plainSegments(text, 160);
  // Matched token ranges [first, last] for every occurrence of every term.
  const matched = new Uint8Array(tokens.length);
  // The gap after token i belongs to a matched phrase ("New York" is one highlight, not two).
  const joined = new Uint8Array(tokens.length);
  for (const term of terms) {
    const n = term.tokens.length;
    if (n === 0) continue;
    for (let i = 0; i + n <= tokens.length; i++) {
      let ok = true;
      for (let k = 0; k < n && ok; k++)
        ok = tokenMatches(tokens[i + k].norm, term.tokens[k], term.prefix && k === n - 1);
      if (ok) {
        matched.fill(1, i, i + n);
        joined.fill(1, i, i + n - 1);
      }
    }
  }
  // The window of windowTokens tokens holding the most matched tokens (earliest on ties).
  let best = 0;
  let bestCount = -1;
  let count = 0;
  for (let i = 0; i < tokens.length; i++) {
    count += matched[i];
    if (i >= windowTokens) count -= matched[i - windowTokens];
    const start = Math.max(0, i - windowTokens + 1);
    if (count > bestCount) {
      bestCount = count;
      best = start;
    }
  }
  // Start the window a little before its first match, for context.
  let first = best;
  while (first < tokens.length && !matched[first] && first < best + windowTokens) first++;
  const start = bestCount > 0 ? Math.max(0, first - 3) : 0;
  const end = Math.min(tokens.length, start + windowTokens);

  const out: Segment[] = [];
  const push = (t: string, match: boolean) => {
    if (t.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.match === match) last.text += t;
    else out.push({ text: t, match });
  };
  let at = start === 0 ? 0 : tokens[start].start;
  if (start > 0) push(ELLIPSIS, false);
  for (let i = start; i < end; i++) {
    push(scanned.slice(at, tokens[i].start), i > start && joined[i - 1] === 1);
    push(scanned.slice(tokens[i].start, tokens[i].end), matched[i] === 1);
    at = tokens[i].end;
  }
  if (end < tokens.length || scanned.length < text.length) {
    push(ELLIPSIS, false);
  } else {
    push(scanned.slice(at), false);
  }
  // Whitespace runs (newlines, indentation) read better collapsed in a one-line snippet.
  return out
    .map((seg) => ({ ...seg, text: seg.text.replace(/\s+/g, ' ') }))
    .filter((seg) => seg.text.length > 0);
}

export const ELLIPSIS = '…';

/** The text as segments without any match. */
export function plainSegments(text: string | null, maxChars: number): Segment[] {
  if (!text) return [];
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat
    ? [{ text: flat.length > maxChars ? flat.slice(0, maxChars) + ELLIPSIS : flat, match: false }]
    : [];
}
