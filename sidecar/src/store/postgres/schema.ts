import type pg from 'pg';
import { transaction } from './pool';

/**
 * The PostgreSQL store's schema, versioned in `lens_schema_version`: each migration runs in one
 * transaction with its version row, under an advisory lock, so several sidecars starting together
 * migrate once and a crash mid-migration leaves the previous version intact.
 *
 * Layout (differs from SQLite where PostgreSQL does better otherwise):
 * - `messages` holds every column, content included, RANGE-partitioned by day on started_at:
 *   retention drops whole partitions (no per-row delete, no bloat). Large texts live out of line
 *   (TOAST), so the row the filters scan stays narrow without a separate content table, and a day's
 *   content goes with its partition.
 * - `search` is a tsvector of the prompt and response words (tokenised as the SQLite FTS path does,
 *   search-text.ts) with a GIN index.
 * - Text columns are COLLATE "C": sorts and breakdown ties are bytewise, as SQLite's BINARY, whatever
 *   the database's locale.
 * - The rollups (measures.ts) with sketches as integer arrays of (bucket, count) pairs, merged in SQL
 *   (sketch_merge, and the aggregate sketch_sum) so concurrent sidecars' upserts merge atomically.
 *
 * Migrations are frozen history: a later change to columns.ts or measures.ts is a new migration
 * (the schema test compares the migrated tables with the column table and the rollup list).
 */

const BINS = 10;
const FULL = [
  'messages',
  'errors',
  'in_sum',
  'in_n',
  'out_sum',
  'out_n',
  'cost',
  'dur_sum',
  ...Array.from({ length: BINS }, (_, i) => `h${i}`),
];
const BUCKET = ['messages', 'errors', 'in_sum', 'out_sum', 'cost', 'dur_sum'];
const TIERS = ['minute', 'minute10', 'hour', 'day'];

function rollupTables(): string {
  const slices = [
    { name: 'total', dims: [] as string[], measures: FULL, sketch: true, tiers: TIERS },
    {
      name: 'dims',
      dims: ['model', 'category', 'status', 'endpoint'],
      measures: FULL,
      sketch: true,
      tiers: TIERS,
    },
    { name: 'user', dims: ['"user"'], measures: BUCKET, sketch: false, tiers: TIERS.slice(1) },
  ];
  const out: string[] = [];
  for (const s of slices) {
    for (const tier of s.tiers) {
      const cols = [
        't bigint NOT NULL',
        ...s.dims.map((d) => `${d} text COLLATE "C" NOT NULL`),
        ...s.measures.map(
          (m) => `${m} ${m === 'cost' || m === 'dur_sum' ? 'double precision' : 'bigint'} NOT NULL`
        ),
        ...(s.sketch ? ["sketch integer[] NOT NULL DEFAULT '{}'"] : []),
      ];
      out.push(
        `CREATE TABLE rollup_${s.name}_${tier} (${cols.join(', ')}, PRIMARY KEY (${['t', ...s.dims].join(', ')}));`
      );
    }
  }
  return out.join('\n');
}

export const PG_MIGRATIONS: readonly string[] = [
  // 1: the messages (partitioned by day), the rollups with their sketch functions, the event log.
  `
  CREATE TABLE messages (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id text COLLATE "C" NOT NULL,
    started_at bigint NOT NULL,
    ended_at bigint NOT NULL,
    duration_ms double precision NOT NULL,
    ttft_ms double precision,
    ttfb_ms double precision,
    method text COLLATE "C" NOT NULL,
    path text COLLATE "C" NOT NULL,
    endpoint text COLLATE "C" NOT NULL,
    flavor text COLLATE "C" NOT NULL,
    model text COLLATE "C",
    "user" text COLLATE "C",
    session text COLLATE "C",
    client_address text COLLATE "C",
    user_agent text COLLATE "C",
    stream bigint NOT NULL,
    status text COLLATE "C" NOT NULL,
    http_status bigint NOT NULL,
    error_type text COLLATE "C",
    error_message text COLLATE "C",
    request_bytes bigint NOT NULL,
    response_bytes bigint NOT NULL,
    category text COLLATE "C" NOT NULL,
    input_tokens bigint,
    output_tokens bigint,
    tokens bigint GENERATED ALWAYS AS (coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) STORED,
    token_source text COLLATE "C" NOT NULL,
    cost double precision,
    total_duration_ns bigint,
    load_duration_ns bigint,
    prompt_eval_count bigint,
    prompt_eval_duration_ns bigint,
    eval_count bigint,
    eval_duration_ns bigint,
    queue_ms double precision,
    tokens_per_second double precision,
    done_reason text COLLATE "C",
    proxy_overhead_ms double precision,
    options text COLLATE "C",
    capture_content bigint NOT NULL,
    redacted bigint NOT NULL,
    requested_model text COLLATE "C",
    input_cost double precision,
    output_cost double precision,
    host text COLLATE "C",
    origin text COLLATE "C",
    prompt_preview text COLLATE "C",
    prompt text COLLATE "C",
    response text COLLATE "C",
    chunks text COLLATE "C",
    search tsvector,
    PRIMARY KEY (seq, started_at),
    UNIQUE (id, started_at)
  ) PARTITION BY RANGE (started_at);
  CREATE INDEX messages_time ON messages (started_at);
  CREATE INDEX messages_model ON messages (model, started_at);
  CREATE INDEX messages_user ON messages ("user", started_at);
  CREATE INDEX messages_session ON messages (session, started_at);
  CREATE INDEX messages_host ON messages (host, started_at);
  CREATE INDEX messages_by_latency ON messages (duration_ms);
  CREATE INDEX messages_by_tokens ON messages (tokens);
  CREATE INDEX messages_search ON messages USING gin (search);

  CREATE FUNCTION sketch_merge(a integer[], b integer[]) RETURNS integer[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(p.v ORDER BY g.k, p.j), '{}')
    FROM (
      SELECT x[2 * i - 1] AS k, sum(x[2 * i])::integer AS s
      FROM (VALUES (a), (b)) AS ab(x), generate_series(1, coalesce(cardinality(x), 0) / 2) AS i
      GROUP BY 1
    ) g
    CROSS JOIN LATERAL (VALUES (0, g.k), (1, g.s)) AS p(j, v)
    WHERE g.s <> 0
  $$;
  CREATE AGGREGATE sketch_sum(integer[]) (
    SFUNC = sketch_merge, STYPE = integer[], INITCOND = '{}', COMBINEFUNC = sketch_merge, PARALLEL = SAFE
  );
  ${rollupTables()}

  CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at bigint NOT NULL,
    type text COLLATE "C" NOT NULL,
    model text COLLATE "C",
    details text NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_at ON events (at);
  `,
  // 2: the page sorts by model, user and input/output tokens in their own index order (key, seq), as
  // SQLite's sort indexes (schema.ts); a page of a wide window then reads 50 entries instead of
  // sorting the window (measured at 50k messages in 24 h: 80–110 ms → 1–3 ms).
  `
  CREATE INDEX messages_by_model ON messages ((coalesce(model, '')), seq);
  CREATE INDEX messages_by_user ON messages ((coalesce("user", '')), seq);
  CREATE INDEX messages_by_input ON messages ((coalesce(input_tokens, -1)), seq);
  CREATE INDEX messages_by_output ON messages ((coalesce(output_tokens, -1)), seq);
  `,
  // 3: the messages per sidecar in every tier (schema.ts migration 7): the list of servers read a count
  // of every message (100 ms at 1M, the slowest of the Explorer's opening requests); backfilled.
  [
    ['minute', 60_000],
    ['minute10', 600_000],
    ['hour', 3_600_000],
    ['day', 86_400_000],
  ]
    .map(
      ([tier, ms]) =>
        `CREATE TABLE rollup_host_${tier} (t bigint NOT NULL, host text COLLATE "C" NOT NULL, ` +
        `messages bigint NOT NULL, PRIMARY KEY (t, host));\n` +
        `INSERT INTO rollup_host_${tier} SELECT (started_at / ${ms}) * ${ms}, coalesce(host, ''), count(*) ` +
        'FROM messages GROUP BY 1, 2;'
    )
    .join('\n'),
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Any 64-bit constant: the lock every sidecar takes to migrate or to create and drop partitions. */
export const SCHEMA_LOCK = 0x4f4c4c41;

export class PgSchemaTooNewError extends Error {}

/** Brings the database to PG_SCHEMA_VERSION; refuses one written by a newer sidecar. */
export async function migratePg(pool: pg.Pool): Promise<{ from: number; to: number }> {
  return transaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS lens_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())'
    );
    const r = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM lens_schema_version');
    const from = r.rows[0]?.v ?? 0;
    if (from > PG_SCHEMA_VERSION) {
      throw new PgSchemaTooNewError(
        `the PostgreSQL store has schema version ${from}, newer than this sidecar understands (${PG_SCHEMA_VERSION}); upgrade the sidecar`
      );
    }
    for (let v = from; v < PG_SCHEMA_VERSION; v++) {
      await c.query(PG_MIGRATIONS[v]);
      await c.query('INSERT INTO lens_schema_version (version) VALUES ($1)', [v + 1]);
    }
    return { from, to: PG_SCHEMA_VERSION };
  });
}
