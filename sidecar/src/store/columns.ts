/**
 * The stored columns, declared once. From this table come the INSERT's column lists (MESSAGE_COLUMNS,
 * CONTENT_COLUMNS: row.ts fills them, store.ts writes them), the row types the queries read
 * (MessageRow, SummaryRow, ContentRow) and the SELECT lists that read them (SUMMARY_SELECT,
 * MESSAGE_SELECT, CONTENT_SELECT). The schema itself is history (schema.ts migrations); a test checks
 * that the migrated tables have exactly these columns, types and NOT NULLs, so a column added here
 * without a migration (or the other way round) fails.
 */
import type { ApiFlavor, Endpoint, ErrorType, RequestStatus, TokenSource } from '../tap/record';
import type { Category, Origin } from '@ollama-lens/contracts';

type SqlType = 'INTEGER' | 'REAL' | 'TEXT';
type Table = 'messages' | 'message_content';

/**
 * Who reads a column: `summary` (the Explorer's table rows, and so every message), `detail` (the
 * whole message), `content` (read with the content on its own), `none` (stored, never read back).
 */
type Reader = 'summary' | 'detail' | 'content' | 'none';

interface Column<T, Tb extends Table = Table, W extends boolean = boolean, R extends Reader = Reader> {
  readonly table: Tb;
  readonly type: SqlType;
  readonly notNull: boolean;
  /** False for what SQLite fills itself (the rowid, generated columns). */
  readonly written: W;
  readonly reader: R;
  /** Carries the value's TypeScript type (never set). */
  readonly value?: T;
}

interface Opts<Tb extends Table, W extends boolean, R extends Reader> {
  table?: Tb;
  written?: W;
  reader?: R;
}

/** A column of SQL type `type` holding values of type T; the options default to a written `messages` column of the detail. */
function column<T>(type: SqlType, notNull: boolean) {
  return <Tb extends Table = 'messages', W extends boolean = true, R extends Reader = 'detail'>(
    o: Opts<Tb, W, R> = {}
  ): Column<T, Tb, W, R> => ({
    table: (o.table ?? 'messages') as Tb,
    type,
    notNull,
    written: (o.written ?? true) as W,
    reader: (o.reader ?? 'detail') as R,
  });
}
const text = <T extends string = string>() => column<T | null>('TEXT', false);
const textNN = <T extends string = string>() => column<T>('TEXT', true);
const int = column<number | null>('INTEGER', false);
const intNN = column<number>('INTEGER', true);
const real = column<number | null>('REAL', false);
const realNN = column<number>('REAL', true);
const summary = { reader: 'summary' } as const;

/** Every stored column, in each table's physical order (messages, then message_content). */
export const COLUMNS = {
  seq: intNN({ reader: 'summary', written: false }),
  id: textNN()(summary),
  started_at: intNN(summary),
  ended_at: intNN(),
  duration_ms: realNN(summary),
  ttft_ms: real(summary),
  ttfb_ms: real(),
  method: textNN()(),
  path: textNN()(),
  endpoint: textNN<Endpoint>()(summary),
  flavor: textNN<ApiFlavor>()(),
  /** The canonical model name (tap/derive.ts). */
  model: text()(summary),
  user: text()(summary),
  session: text()(summary),
  client_address: text()(),
  user_agent: text()(),
  stream: intNN(),
  status: textNN<RequestStatus>()(summary),
  http_status: intNN(summary),
  error_type: text<ErrorType>()(summary),
  error_message: text()(summary),
  request_bytes: intNN(),
  response_bytes: intNN(),
  category: textNN<Category>()(summary),
  input_tokens: int(summary),
  output_tokens: int(summary),
  /** Generated: input + output tokens, for the token sort's index. */
  tokens: int({ reader: 'none', written: false }),
  token_source: textNN<TokenSource>()(),
  cost: real(summary),
  total_duration_ns: int(),
  load_duration_ns: int(),
  prompt_eval_count: int(),
  prompt_eval_duration_ns: int(),
  eval_count: int(),
  eval_duration_ns: int(),
  queue_ms: real(),
  tokens_per_second: real(),
  done_reason: text()(),
  proxy_overhead_ms: real(),
  /** JSON text of the generation options. */
  options: text()(),
  capture_content: intNN(),
  redacted: intNN(),
  /** The model name as the client requested it (schema 3). */
  requested_model: text()(),
  /** The cost's two parts (schema 5; null on older rows and without prices). */
  input_cost: real(),
  output_cost: real(),
  /** The sidecar that measured the message (--instance): several may share one store (schema 6). */
  host: text()(summary),
  /** Set when the product itself sent the request (contracts/src/origin.ts), e.g. the playground (schema 6). */
  origin: text<Origin>()(summary),

  prompt_preview: text()({ table: 'message_content', reader: 'summary' }),
  /** JSON text of the prompt and response as recorded (tap/record.ts PromptInfo, ResponseInfo). */
  prompt: text()({ table: 'message_content', reader: 'content' }),
  response: text()({ table: 'message_content', reader: 'content' }),
  /** Encoded chunk timings (row.ts encodeChunks). */
  chunks: text()({ table: 'message_content', reader: 'content' }),
};

type Columns = typeof COLUMNS;
export type ColumnName = keyof Columns;
type ValueOf<K extends ColumnName> = Columns[K] extends Column<infer T, Table, boolean, Reader> ? T : never;
type NamesWhere<P> = { [K in ColumnName]: Columns[K] extends P ? K : never }[ColumnName];

/** Columns whose values a PreparedRow carries, per table. */
export type MessageColumn = NamesWhere<{ table: 'messages'; written: true }>;
export type ContentColumn = NamesWhere<{ table: 'message_content'; written: true }>;

/** A row's values by column name, typed from the table. */
export type Values<K extends ColumnName> = { [C in K]: ValueOf<C> };

function names(p: (c: Column<unknown>) => boolean): ColumnName[] {
  return (Object.keys(COLUMNS) as ColumnName[]).filter((n) => p(COLUMNS[n]));
}

/** Columns of `messages` written on insert, in statement order. */
export const MESSAGE_COLUMNS = names((c) => c.table === 'messages' && c.written) as readonly MessageColumn[];
/** Columns of `message_content` written on insert (after its seq), in statement order. */
export const CONTENT_COLUMNS = names(
  (c) => c.table === 'message_content' && c.written
) as readonly ContentColumn[];

type SummaryColumn = NamesWhere<{ reader: 'summary' }>;
type DetailColumn = SummaryColumn | NamesWhere<{ reader: 'detail' }>;
type ContentReadColumn = NamesWhere<{ reader: 'content' }>;

/** What a MessageSummary is made of. */
export type SummaryRow = Values<SummaryColumn>;
/** What a whole Message is made of, besides its content. */
export type MessageRow = Values<DetailColumn>;
/** The content read on its own (detail view, exports). */
export type ContentRow = Values<ContentReadColumn>;

/** `m.x, c.y, …` for the given columns (m = messages, c = message_content). */
export function selectList(cols: readonly ColumnName[]): string {
  return cols
    .map((n) => `${COLUMNS[n].table === 'messages' ? 'm' : 'c'}.${n === 'user' ? '"user"' : n}`)
    .join(', ');
}

/** The columns a MessageSummary needs, over `messages m LEFT JOIN message_content c`. */
export const SUMMARY_SELECT = selectList(names((c) => c.reader === 'summary'));
/** The columns a Message needs besides its content, over the same join. */
export const MESSAGE_SELECT = selectList(names((c) => c.reader === 'summary' || c.reader === 'detail'));
/** The content columns, over the same join. */
export const CONTENT_SELECT = selectList(names((c) => c.reader === 'content'));

/** For the schema test: a table's columns as declared here, in order. */
export function declaredColumns(table: Table): { name: string; type: SqlType; notNull: boolean }[] {
  const cols = names((c) => c.table === table).map((name) => ({
    name,
    type: COLUMNS[name].type,
    notNull: COLUMNS[name].notNull,
  }));
  // A content row is keyed by its message's seq (the rowid of both tables).
  return table === 'message_content' ? [{ name: 'seq', type: 'INTEGER', notNull: true }, ...cols] : cols;
}
