import type Database from 'better-sqlite3';
import { canonicalModelName } from '../metrics/labels';
import { EVENTS_MIGRATION } from './events';
import { registerSketchFunctions } from './sketch';

/**
 * The store's schema, versioned with `PRAGMA user_version`: migration N brings the file from version
 * N-1 to N inside one transaction, so a crash mid-migration leaves the previous version intact.
 *
 * Layout: `messages` holds the metadata every filter, sort and aggregation reads (a narrow row, so
 * window scans stay cheap); `message_content` holds what only the detail view, previews, search
 * snippets and exports read (prompt and response as recorded, chunk timings); `messages_fts` is a
 * contentless FTS5 index over the prompt and response text (the text is given to it once, at insert,
 * and never stored twice; `contentless_delete` lets rows leave it by rowid). Filters never live in the
 * FTS table: a search is `seq IN (MATCH …)` combined with the ordinary indexes.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    ttft_ms REAL,
    ttfb_ms REAL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    flavor TEXT NOT NULL,
    model TEXT,
    user TEXT,
    session TEXT,
    client_address TEXT,
    user_agent TEXT,
    stream INTEGER NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    error_type TEXT,
    error_message TEXT,
    request_bytes INTEGER NOT NULL,
    response_bytes INTEGER NOT NULL,
    category TEXT NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    tokens INTEGER GENERATED ALWAYS AS (coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) VIRTUAL,
    token_source TEXT NOT NULL,
    cost REAL,
    total_duration_ns INTEGER,
    load_duration_ns INTEGER,
    prompt_eval_count INTEGER,
    prompt_eval_duration_ns INTEGER,
    eval_count INTEGER,
    eval_duration_ns INTEGER,
    queue_ms REAL,
    tokens_per_second REAL,
    done_reason TEXT,
    proxy_overhead_ms REAL,
    options TEXT,
    capture_content INTEGER NOT NULL,
    redacted INTEGER NOT NULL
  );
  -- SQLite appends the rowid (seq) to every index, so (x, started_at) is also the keyset order
  -- (x, started_at, seq) of the time sort within one x.
  CREATE INDEX messages_time ON messages (started_at);
  -- Covers the aggregations' columns, so summaries, breakdowns and histograms over a time window
  -- read only this index (sequentially) instead of looking up every row of the window.
  CREATE INDEX messages_window ON messages (started_at, duration_ms, status, model, category, user, input_tokens, output_tokens, cost);
  CREATE INDEX messages_model ON messages (model, started_at);
  CREATE INDEX messages_user ON messages (user, started_at);
  CREATE INDEX messages_session ON messages (session, started_at);
  -- Sorts: with the implicit seq these are exactly the keyset orders (key, seq), so a page is read
  -- in order and stops after one page whatever the window. Status and category filters need no
  -- index of their own: they are read from messages_window. (input/output token sorts are served by
  -- the window scan.)
  CREATE INDEX messages_by_latency ON messages (duration_ms);
  CREATE INDEX messages_by_tokens ON messages (tokens);
  CREATE INDEX messages_by_model ON messages (coalesce(model, ''));
  CREATE INDEX messages_by_user ON messages (coalesce(user, ''));

  -- Hourly pre-aggregates by model, category and status (model '' = none), kept in step with
  -- messages by the store in the same transactions: the summary, the breakdowns and the histogram
  -- of a wide window read a few rows per hour instead of every message. h0…h9 are the latency
  -- histogram bins (aggregate.ts HISTOGRAM_EDGES_MS).
  CREATE TABLE rollup_hour (
    hour INTEGER NOT NULL,
    model TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    messages INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    in_sum INTEGER NOT NULL,
    in_n INTEGER NOT NULL,
    out_sum INTEGER NOT NULL,
    out_n INTEGER NOT NULL,
    cost REAL NOT NULL,
    dur_sum REAL NOT NULL,
    h0 INTEGER NOT NULL, h1 INTEGER NOT NULL, h2 INTEGER NOT NULL, h3 INTEGER NOT NULL, h4 INTEGER NOT NULL,
    h5 INTEGER NOT NULL, h6 INTEGER NOT NULL, h7 INTEGER NOT NULL, h8 INTEGER NOT NULL, h9 INTEGER NOT NULL,
    PRIMARY KEY (hour, model, category, status)
  ) WITHOUT ROWID;
  -- The same measures per user (user '' = none), for the user breakdown.
  CREATE TABLE rollup_user_hour (
    hour INTEGER NOT NULL,
    user TEXT NOT NULL,
    messages INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    in_sum INTEGER NOT NULL,
    in_n INTEGER NOT NULL,
    out_sum INTEGER NOT NULL,
    out_n INTEGER NOT NULL,
    cost REAL NOT NULL,
    dur_sum REAL NOT NULL,
    h0 INTEGER NOT NULL, h1 INTEGER NOT NULL, h2 INTEGER NOT NULL, h3 INTEGER NOT NULL, h4 INTEGER NOT NULL,
    h5 INTEGER NOT NULL, h6 INTEGER NOT NULL, h7 INTEGER NOT NULL, h8 INTEGER NOT NULL, h9 INTEGER NOT NULL,
    PRIMARY KEY (hour, user)
  ) WITHOUT ROWID;

  CREATE TABLE message_content (
    seq INTEGER PRIMARY KEY,
    prompt_preview TEXT,
    prompt TEXT,
    response TEXT,
    chunks TEXT
  );
  CREATE VIRTUAL TABLE messages_fts USING fts5 (
    prompt_text, response_text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
  );
  `,
  // 2: minute/hour/day rollups with latency sketches (replacing the hourly ones), backfilled from
  // the messages; indexes for the token sorts.
  migration2(),
  // 3: one model name across the product. `model` holds the canonical name (`tiny` → `tiny:latest`,
  // as the metric labels have it) and `requested_model` the name as the client sent it; the rollups
  // keyed by an untagged name merge into the canonical one's rows.
  migration3(),
  // 4: the event log (model loads and unloads, Ollama restarts, store drops…): store/events.ts.
  EVENTS_MIGRATION,
  // 5: the cost's two parts, the prompt's and the answer's (older rows keep only their total).
  'ALTER TABLE messages ADD COLUMN input_cost REAL; ALTER TABLE messages ADD COLUMN output_cost REAL;',
  // 6: which sidecar measured a message (several can share a store) and whether the product sent it
  // (the playground). Older rows have neither: null host, null origin (an application's request).
  'ALTER TABLE messages ADD COLUMN host TEXT; ALTER TABLE messages ADD COLUMN origin TEXT;' +
    ' CREATE INDEX messages_by_host ON messages (host, started_at);',
  // 7: the messages per sidecar in every tier, so the list of servers is a few rows per day instead of a
  // count of every message; backfilled from the messages ('' for those measured before schema 6).
  hostRollupMigration(),
];

/** Migration 7, from its own frozen tier list. */
function hostRollupMigration(): string {
  const tiers = [
    ['minute', 60_000],
    ['minute10', 600_000],
    ['hour', 3_600_000],
    ['day', 86_400_000],
  ] as const;
  return tiers
    .map(
      ([tier, ms]) =>
        `CREATE TABLE rollup_host_${tier} (t INTEGER NOT NULL, host TEXT NOT NULL, messages INTEGER NOT NULL, ` +
        `PRIMARY KEY (t, host)) WITHOUT ROWID;\n` +
        `INSERT INTO rollup_host_${tier} SELECT (started_at / ${ms}) * ${ms}, coalesce(host, ''), count(*) ` +
        'FROM messages GROUP BY 1, 2;'
    )
    .join('\n');
}

/**
 * Migration 2, spelled out from its own frozen lists (a later change to measures.ts must not change
 * what an old file is migrated with; a new measure is a new migration). The backfill needs the
 * sketch SQL functions, which migrate() registers first.
 */
function migration2(): string {
  const bins = [100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
  const full = [
    'messages',
    'errors',
    'in_sum',
    'in_n',
    'out_sum',
    'out_n',
    'cost',
    'dur_sum',
    ...bins.map((_, i) => `h${i}`),
    `h${bins.length}`,
  ];
  const bucket = ['messages', 'errors', 'in_sum', 'out_sum', 'cost', 'dur_sum'];
  const isError = "m.status IN ('error', 'timeout')";
  const binSql = [
    ...bins.map(
      (e, i) =>
        `coalesce(sum(${i === 0 ? '' : `m.duration_ms > ${bins[i - 1]} AND `}m.duration_ms <= ${e}), 0)`
    ),
    `coalesce(sum(m.duration_ms > ${bins[bins.length - 1]}), 0)`,
  ];
  const rawMeasures: Record<string, string> = {
    messages: 'count(*)',
    errors: `coalesce(sum(${isError}), 0)`,
    in_sum: 'coalesce(sum(m.input_tokens), 0)',
    in_n: 'count(m.input_tokens)',
    out_sum: 'coalesce(sum(m.output_tokens), 0)',
    out_n: 'count(m.output_tokens)',
    cost: 'coalesce(sum(m.cost), 0)',
    dur_sum: 'coalesce(sum(m.duration_ms), 0)',
    ...Object.fromEntries(binSql.map((sql, i) => [`h${i}`, sql])),
  };
  const all = [
    ['minute', 60_000],
    ['minute10', 600_000],
    ['hour', 3_600_000],
    ['day', 86_400_000],
  ] as const;
  const slices = [
    { name: 'total', dims: [] as string[], measures: full, sketch: true, tiers: all },
    {
      name: 'dims',
      dims: ['model', 'category', 'status', 'endpoint'],
      measures: full,
      sketch: true,
      tiers: all,
    },
    { name: 'user', dims: ['user'], measures: bucket, sketch: false, tiers: all.slice(1) },
  ];
  const out: string[] = [
    'DROP TABLE rollup_hour;',
    'DROP TABLE rollup_user_hour;',
    'CREATE INDEX messages_by_input ON messages (coalesce(input_tokens, -1));',
    'CREATE INDEX messages_by_output ON messages (coalesce(output_tokens, -1));',
  ];
  for (const slice of slices) {
    const q = (d: string) => (d === 'user' ? '"user"' : d);
    slice.tiers.forEach(([tier, ms], i) => {
      const table = `rollup_${slice.name}_${tier}`;
      const cols = [
        't INTEGER NOT NULL',
        ...slice.dims.map((d) => `${q(d)} TEXT NOT NULL`),
        ...slice.measures.map((m) => `${m} ${m === 'cost' || m === 'dur_sum' ? 'REAL' : 'INTEGER'} NOT NULL`),
        ...(slice.sketch ? ['sketch BLOB NOT NULL'] : []),
      ];
      const key = ['t', ...slice.dims.map(q)];
      out.push(`CREATE TABLE ${table} (${cols.join(', ')}, PRIMARY KEY (${key.join(', ')})) WITHOUT ROWID;`);
      const groupBy = key.map((_, j) => j + 1).join(', ');
      if (i === 0) {
        // The finest tier from the messages themselves.
        const sel = [
          `(m.started_at / ${ms}) * ${ms}`,
          ...slice.dims.map((d) => `coalesce(m.${q(d)}, '')`),
          ...slice.measures.map((m) => rawMeasures[m]),
          ...(slice.sketch ? ['sketch_of(m.duration_ms)'] : []),
        ];
        out.push(`INSERT INTO ${table} SELECT ${sel.join(', ')} FROM messages m GROUP BY ${groupBy};`);
      } else {
        // Each coarser tier from the next finer one.
        const finer = `rollup_${slice.name}_${slice.tiers[i - 1][0]}`;
        const sel = [
          `(t / ${ms}) * ${ms}`,
          ...slice.dims.map(q),
          ...slice.measures.map((m) => `sum(${m})`),
          ...(slice.sketch ? ['sketch_sum(sketch)'] : []),
        ];
        out.push(`INSERT INTO ${table} SELECT ${sel.join(', ')} FROM ${finer} GROUP BY ${groupBy};`);
      }
    });
  }
  return out.join('\n');
}

/**
 * Migration 3, with its own frozen list of the tables it rewrites. `canonical_model(name)` is
 * metrics/labels.ts canonicalModelName, registered by migrate(); '' (the rollups' "no model") stays ''.
 */
function migration3(): string {
  const measures = [
    'messages',
    'errors',
    'in_sum',
    'in_n',
    'out_sum',
    'out_n',
    'cost',
    'dur_sum',
    ...Array.from({ length: 10 }, (_, i) => `h${i}`),
  ];
  const out: string[] = [
    'ALTER TABLE messages ADD COLUMN requested_model TEXT;',
    // Two steps, so only the rows whose name changes touch the model indexes.
    'UPDATE messages SET requested_model = model WHERE model IS NOT NULL;',
    'UPDATE messages SET model = canonical_model(model) WHERE model IS NOT NULL AND model IS NOT canonical_model(model);',
  ];
  for (const tier of ['minute', 'minute10', 'hour', 'day']) {
    const table = `rollup_dims_${tier}`;
    const canonical = "coalesce(canonical_model(model), '')";
    // The rows to rewrite: keyed by a name that changes, or by the name one changes into (they merge).
    const affected = `model IN (SELECT old FROM model_renames) OR model IN (SELECT new FROM model_renames)`;
    out.push(
      `CREATE TEMP TABLE model_renames AS SELECT DISTINCT model AS old, ${canonical} AS new FROM ${table} WHERE model <> '' AND model <> ${canonical};`,
      `CREATE TEMP TABLE merged_rollup AS SELECT t, ${canonical} AS model, category, status, endpoint, ` +
        `${measures.map((m) => `sum(${m}) AS ${m}`).join(', ')}, sketch_sum(sketch) AS sketch ` +
        `FROM ${table} WHERE ${affected} GROUP BY t, 2, category, status, endpoint;`,
      `DELETE FROM ${table} WHERE ${affected};`,
      `INSERT INTO ${table} (t, model, category, status, endpoint, ${measures.join(', ')}, sketch) ` +
        `SELECT t, model, category, status, endpoint, ${measures.join(', ')}, sketch FROM merged_rollup;`,
      'DROP TABLE merged_rollup;',
      'DROP TABLE model_renames;'
    );
  }
  return out.join('\n');
}

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {}

/** Brings the database to SCHEMA_VERSION; refuses a file written by a newer sidecar. */
export function migrate(db: Database.Database): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > SCHEMA_VERSION) {
    throw new SchemaTooNewError(
      `the store ${db.name} has schema version ${from}, newer than this sidecar understands (${SCHEMA_VERSION}); upgrade the sidecar or use another --db`
    );
  }
  registerSketchFunctions(db);
  db.function('canonical_model', { deterministic: true }, (name: unknown) =>
    typeof name === 'string' ? (canonicalModelName(name) ?? null) : null
  );
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return { from, to: SCHEMA_VERSION };
}
