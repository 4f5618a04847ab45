/**
 * Scale-out benchmark (issue 16, part 5): three sidecars in front of three upstreams share one
 * PostgreSQL.
 *
 *  1. Ingest: wrk at c=10 on every sidecar at once for BENCH_LOAD_SECONDS (the issue's 7 minutes),
 *     streamed chats with realistic prompts (a share with a long pasted document, varied users). Then
 *     the writers are waited for (every request the sidecar counted is written or counted dropped) and
 *     three counts are set side by side per sidecar: the requests it answered (wrk's 2xx and its own
 *     ollama_requests_total), the rows PostgreSQL holds for its host, and ollama_store_dropped_total.
 *     lost = counted − stored − dropped must be 0. In the same run, the same load against ONE sidecar
 *     on SQLite: the machine is shared and noisy, so the ratio is what to read.
 *  2. The Explorer at scale: PostgreSQL filled to BENCH_MESSAGES (spread over the last 24 h, the
 *     Explorer's default window, three hosts) through the backend's own batch insert (PgStore.insert,
 *     in-process: the rows and rollups exactly as the writer thread writes them), then the requests the
 *     Explorer page sends (on open, a search, a server filter, a message) through one sidecar's HTTP
 *     API, BENCH_RUNS times each, p50/p95. The same requests on a SQLite busy-day store (bench/busy-day.ts)
 *     as a reference; PostgreSQL is also measured when its fill passes that store's size, so one line
 *     compares the two at the same size.
 *
 *   npm run bench:scale-out
 *   BENCH_LOAD_SECONDS=20 BENCH_MESSAGES=200000 BENCH_SQLITE_MESSAGES=50000 nice npx tsx bench/scale-out.ts
 *
 * Environment:
 *   BENCH_LOAD_SECONDS (420)      wrk duration of each ingest scenario (PostgreSQL ×3, then SQLite ×1)
 *   BENCH_CONNECTIONS (10)        wrk connections per sidecar
 *   BENCH_SIDECARS (3)            sidecars (and upstreams) sharing the PostgreSQL store
 *   BENCH_MESSAGES (5000000)      messages in PostgreSQL for part 2 (part 1's rows count towards it)
 *   BENCH_FILL_MINUTES (15)       the fill stops here; part 2 measures at the size reached (printed)
 *   BENCH_FILL_CONCURRENCY (4)    batches in flight at once during the fill (4 was the fastest here)
 *   BENCH_SQLITE_MESSAGES (250000) size of the SQLite reference store (0: no SQLite reference in part 2)
 *   BENCH_RUNS (20)               repetitions of each Explorer view
 *   BENCH_ONLY=ingest|explorer    one part only
 *   BENCH_SIDECAR=dist|src        the built sidecar (default; `npm run build -w sidecar` first) or src under tsx
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { request } from 'undici';
import { busyDayStore, DAY_MS } from './busy-day';
import { fmt, freePort, percentile, start, stop, table, waitForHttp } from './lib';
import { buildInstantUpstream } from './instant-upstream-bin';
import { prepareRow, type PreparedRow } from '../sidecar/src/store/row';
import { PgStore } from '../sidecar/src/store/postgres/store';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { startPostgres, type PostgresServer } from '@ollama-lens/testkit/postgres';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const LOAD_SECONDS = num('BENCH_LOAD_SECONDS', 420);
const CONNECTIONS = num('BENCH_CONNECTIONS', 10);
const SIDECARS = num('BENCH_SIDECARS', 3);
const MESSAGES = num('BENCH_MESSAGES', 5_000_000);
const FILL_MS = num('BENCH_FILL_MINUTES', 15) * 60_000;
const FILL_CONCURRENCY = num('BENCH_FILL_CONCURRENCY', 4);
const SQLITE_MESSAGES = num('BENCH_SQLITE_MESSAGES', 250_000);
const RUNS = num('BENCH_RUNS', 20);
const ONLY = process.env.BENCH_ONLY;
const ROOT = join(__dirname, '..');
/** The records' cost is derived with these prices (--prices), as in the other benchmarks. */
const PRICES = { '*': { input: 0.15, output: 0.6 } };
const BATCH = 1000;
/** How long the writers may take to empty their queues after the load. */
const FLUSH_TIMEOUT_MS = 10 * 60_000;

const host = (i: number) => `gpu-${i}`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (n: number) => `${count(n)}/s`;

// ---------------------------------------------------------------------------------------------
// Processes

interface Sidecar {
  url: string;
  name: string;
  child: ReturnType<typeof start>;
}

async function startSidecar(upstream: string, db: string, instance: string): Promise<Sidecar> {
  const port = await freePort();
  const flags = [
    '--port',
    String(port),
    '--upstream',
    upstream,
    '--db',
    db,
    '--instance',
    instance,
    '--log-level',
    'warn',
    '--poll-interval-ms',
    '10000',
    '--prices',
    JSON.stringify(PRICES),
  ];
  const child =
    process.env.BENCH_SIDECAR === 'src'
      ? start(process.execPath, ['--import', 'tsx', join(ROOT, 'sidecar/src/main.ts'), ...flags])
      : start(process.execPath, [join(ROOT, 'sidecar/dist/main.js'), ...flags]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 60_000);
  return { url, name: instance, child };
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * A wrk script posting streamed chats: 64 bodies from the record factory's prompts (a fifth with a
 * long pasted document, some with a short history), picked at random per request, with one of 200
 * users, so the store sees varied text, users and categories rather than one row repeated.
 */
function chatScript(seed: number): string {
  const f = new RecordFactory({ seed });
  const bodies: string[] = [];
  for (let i = 0; i < 64; i++) {
    const { text } = i % 5 === 0 ? f.longPrompt() : f.prompt();
    const history =
      i % 3 === 0
        ? [
            { role: 'user', content: f.prompt().text },
            { role: 'assistant', content: 'Sure, here is what I found.' },
          ]
        : [];
    bodies.push(
      JSON.stringify({
        model: 'tiny',
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          ...history,
          { role: 'user', content: text },
        ],
      })
    );
  }
  const file = join(tmpdir(), `ollama-lens-scale-out-${process.pid}-${seed}.lua`);
  writeFileSync(
    file,
    `local bodies = {${bodies.map((b) => JSON.stringify(b)).join(',\n')}}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  wrk.headers["x-user-id"] = string.format("user-%04d", math.random(0, 199))
  return wrk.format("POST", "/api/chat", wrk.headers, bodies[math.random(#bodies)])
end
`
  );
  return file;
}

interface LoadResult {
  /** Responses wrk read in full. */
  requests: number;
  non2xx: number;
  /** wrk's connect/read/write/timeout errors. */
  socketErrors: number;
  rps: number;
  p50: number;
  p99: number;
}

function parseLoad(out: string): LoadResult {
  const ms = (v: string, u: string) =>
    Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 } as Record<string, number>)[u];
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? ms(m[1], m[2]) : NaN;
  };
  const total = /(\d+) requests in/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!total || !rps) throw new Error(`unexpected wrk output:\n${out}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  return {
    requests: Number(total[1]),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    rps: Number(rps[1]),
    p50: pct('50'),
    p99: pct('99'),
  };
}

function load(url: string, script: string, seconds: number): Promise<LoadResult> {
  const args = ['-t', '2', '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '10s', '--latency'];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [...args, '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(parseLoad(out));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The sidecar's own counts (/metrics)

interface StoreCounts {
  /** ollama_requests_total, every label set: each is one record handed to the store. */
  requests: number;
  success: number;
  written: number;
  dropped: number;
  /** Of those, dropped because the writer's queue was full (the rest: store errors). */
  queueFull: number;
  queueDepth: number;
}

/** The sum of a metric's samples (every label set), optionally only those whose labels contain `having`. */
function metricSum(text: string, name: string, having?: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (having && !rest.includes(having)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function storeCounts(s: Sidecar): Promise<StoreCounts> {
  const res = await request(`${s.url}/metrics`);
  const text = await res.body.text();
  return {
    requests: metricSum(text, 'ollama_requests_total'),
    success: metricSum(text, 'ollama_requests_total', 'status="success"'),
    written: metricSum(text, 'ollama_store_written_total'),
    dropped: metricSum(text, 'ollama_store_dropped_total'),
    queueFull: metricSum(text, 'ollama_store_dropped_total', 'reason="queue_full"'),
    queueDepth: metricSum(text, 'ollama_store_queue_depth'),
  };
}

/**
 * Waits until every record the sidecar counted is written or counted dropped and its queue is empty
 * (the writer thread reports its totals every few hundred ms, so the check repeats until it holds).
 */
async function flushed(s: Sidecar): Promise<StoreCounts> {
  const end = Date.now() + FLUSH_TIMEOUT_MS;
  for (;;) {
    const c = await storeCounts(s);
    if (c.queueDepth === 0 && c.written + c.dropped >= c.requests) return c;
    if (Date.now() > end) {
      process.stderr.write(
        `${s.name}: writer not flushed after ${FLUSH_TIMEOUT_MS / 1000} s: ${JSON.stringify(c)}\n`
      );
      return c;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Ingest

interface IngestRow {
  scenario: string;
  sidecar: string;
  wrk: LoadResult;
  counts: StoreCounts;
  stored: number;
  /** From the load's start until the writer had everything. */
  seconds: number;
}

async function ingestScenario(
  scenario: string,
  sidecars: Sidecar[],
  storedBy: (name: string) => Promise<number>
): Promise<IngestRow[]> {
  const scripts = sidecars.map((_, i) => chatScript(100 + i));
  // Warm the paths (JIT, the connection pools) before the measured load; its rows are subtracted below.
  await Promise.all(sidecars.map((s, i) => load(s.url, scripts[i], 1)));
  const before = await Promise.all(sidecars.map((s) => flushed(s)));
  const storedBefore = await Promise.all(sidecars.map((s) => storedBy(s.name)));
  const t0 = performance.now();
  const results = await Promise.all(sidecars.map((s, i) => load(s.url, scripts[i], LOAD_SECONDS)));
  const after = await Promise.all(
    sidecars.map(async (s) => {
      const c = await flushed(s);
      return { c, at: performance.now() };
    })
  );
  const rows: IngestRow[] = [];
  for (let i = 0; i < sidecars.length; i++) {
    const b = before[i];
    const a = after[i].c;
    rows.push({
      scenario,
      sidecar: sidecars[i].name,
      wrk: results[i],
      counts: {
        requests: a.requests - b.requests,
        success: a.success - b.success,
        written: a.written - b.written,
        dropped: a.dropped - b.dropped,
        queueFull: a.queueFull - b.queueFull,
        queueDepth: a.queueDepth,
      },
      stored: (await storedBy(sidecars[i].name)) - storedBefore[i],
      seconds: (after[i].at - t0) / 1000,
    });
  }
  return rows;
}

async function pgCountBy(pool: pg.Pool): Promise<Map<string, number>> {
  const r = await pool.query<{ host: string | null; n: string }>(
    'SELECT host, count(*)::text AS n FROM messages GROUP BY host'
  );
  return new Map(r.rows.map((x) => [x.host ?? '', Number(x.n)]));
}

async function ingest(pgServer: PostgresServer, upstreams: string[], dir: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: pgServer.url, max: 2 });
  const rows: IngestRow[] = [];
  const sidecars: Sidecar[] = [];
  try {
    for (let i = 0; i < SIDECARS; i++) sidecars.push(await startSidecar(upstreams[i], pgServer.url, host(i)));
    rows.push(
      ...(await ingestScenario(`PostgreSQL, ${SIDECARS} sidecars at once`, sidecars, async (name) => {
        return (await pgCountBy(pool)).get(name) ?? 0;
      }))
    );
  } finally {
    sidecars.forEach((s) => stop(s.child));
  }
  // The reference: the same load on one sidecar with its own SQLite file, after the others stopped.
  const file = join(dir, 'reference.db');
  const ref = await startSidecar(upstreams[0], file, 'sqlite-ref');
  try {
    rows.push(
      ...(await ingestScenario('SQLite, 1 sidecar', [ref], () => {
        const db = new Database(file, { readonly: true, fileMustExist: true });
        try {
          return Promise.resolve((db.prepare('SELECT count(*) FROM messages').pluck().get() as number) ?? 0);
        } finally {
          db.close();
        }
      }))
    );
  } finally {
    stop(ref.child);
    await pool.end();
  }

  console.log(
    `\n## 1. Ingest: wrk c=${CONNECTIONS} per sidecar for ${LOAD_SECONDS} s, streamed /api/chat (a fifth with a 3–12 KB document), instant upstreams\n`
  );
  const lines = rows.map((r) => {
    const lost = r.counts.requests - r.stored - r.counts.dropped;
    return [
      r.scenario,
      r.sidecar,
      count(r.wrk.requests - r.wrk.non2xx),
      count(r.wrk.non2xx + r.wrk.socketErrors),
      count(r.counts.requests),
      count(r.stored),
      `${count(r.counts.dropped)} (${count(r.counts.queueFull)})`,
      count(lost),
      Math.round(r.wrk.rps),
      Math.round(r.stored / r.seconds),
      r.wrk.p50,
      r.wrk.p99,
    ];
  });
  const total = (scenario: string) => {
    const rs = rows.filter((r) => r.scenario === scenario);
    const seconds = Math.max(...rs.map((r) => r.seconds));
    const stored = rs.reduce((a, r) => a + r.stored, 0);
    return { rs, seconds, stored, rate: stored / seconds };
  };
  const pgT = total(rows[0].scenario);
  lines.push([
    rows[0].scenario,
    'all',
    count(pgT.rs.reduce((a, r) => a + r.wrk.requests - r.wrk.non2xx, 0)),
    count(pgT.rs.reduce((a, r) => a + r.wrk.non2xx + r.wrk.socketErrors, 0)),
    count(pgT.rs.reduce((a, r) => a + r.counts.requests, 0)),
    count(pgT.stored),
    `${count(pgT.rs.reduce((a, r) => a + r.counts.dropped, 0))} (${count(pgT.rs.reduce((a, r) => a + r.counts.queueFull, 0))})`,
    count(pgT.rs.reduce((a, r) => a + r.counts.requests - r.stored - r.counts.dropped, 0)),
    Math.round(pgT.rs.reduce((a, r) => a + r.wrk.rps, 0)),
    Math.round(pgT.rate),
    '',
    '',
  ]);
  console.log(
    table(
      [
        'scenario',
        'sidecar',
        'answered (wrk 2xx)',
        'wrk errors',
        'counted (sidecar)',
        'rows stored',
        'dropped (queue full)',
        'lost',
        'req/s',
        'rows/s stored',
        'p50 ms',
        'p99 ms',
      ],
      lines
    )
  );
  const sq = total('SQLite, 1 sidecar');
  const perPg = pgT.rate / pgT.rs.length;
  console.log(
    `\nPostgreSQL took ${rate(pgT.rate)} from ${pgT.rs.length} sidecars together (${rate(perPg)} each), ` +
      `SQLite ${rate(sq.rate)} from one: ${(pgT.rate / sq.rate).toFixed(2)}× overall, ${(perPg / sq.rate).toFixed(2)}× per sidecar ` +
      `(rows stored ÷ seconds from the load's start until the writers were empty). ` +
      `Lost (counted − stored − dropped): ${rows.every((r) => r.counts.requests - r.stored - r.counts.dropped === 0) ? '0 everywhere' : 'NOT ZERO, see the table'}. ` +
      `wrk's 2xx count misses the few requests cut when its run ended (the sidecar counts and stores them as cancelled).`
  );
  const pgLost = pgT.rs.reduce((a, r) => a + r.counts.requests - r.stored - r.counts.dropped, 0);
  const pgDropped = pgT.rs.reduce((a, r) => a + r.counts.dropped, 0);
  check(
    `load: ${pgT.rs.length} sidecars × c=${CONNECTIONS} (s)`,
    LOAD_SECONDS,
    '420',
    LOAD_SECONDS >= 420 && pgT.rs.length >= 3
  );
  check('messages lost (counted − stored − dropped)', count(pgLost), '0', pgLost === 0);
  check('messages dropped (ollama_store_dropped_total)', count(pgDropped), '0', pgDropped === 0);
  check('ingest into PostgreSQL, all sidecars (rows/s)', Math.round(pgT.rate), 'reported');
  check('… ÷ one sidecar on SQLite, same run', (pgT.rate / sq.rate).toFixed(2), 'reported');
}

// ---------------------------------------------------------------------------------------------
// 2. The Explorer at scale

/**
 * Fills PostgreSQL up to `target` messages (counting what is there) through PgStore.insert, the
 * writer thread's own batch path, spread over [from, to) and the hosts. The window is cut into 288
 * slices written round-robin, each in time order as traffic arrives, so a fill stopped by the time
 * budget still covers the whole day evenly. Returns the messages the table holds afterwards.
 */
async function fill(
  url: string,
  target: number,
  from: number,
  to: number,
  deadline: number,
  onReach: { at: number; fn: () => Promise<void> }[]
): Promise<number> {
  const store = new PgStore({
    url,
    max: FILL_CONCURRENCY + 1,
    statementTimeoutMs: 300_000,
    connectTimeoutMs: 10_000,
  });
  // The schema may not be there yet (the sidecar's writer migrates it at its own pace).
  await store.ready();
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  let have = Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM messages')).rows[0].n);
  const todo = Math.max(0, target - have);
  const SLICES = 288;
  const sliceMs = (to - from) / SLICES;
  const factories = Array.from(
    { length: SLICES },
    (_, s) =>
      new RecordFactory({
        prices: PRICES,
        seed: 5000 + s,
        from: from + s * sliceMs,
        to: from + (s + 1) * sliceMs,
        users: 2000,
        maxChunks: 200,
        longPrompts: 0.2,
        ordered: { count: Math.ceil(todo / SLICES) + BATCH },
      })
  );
  let next = 0;
  let made = 0;
  /** Time spent measuring at the checkpoints: neither fill time nor part of its budget. */
  let pausedMs = 0;
  const t0 = performance.now();
  let lastLog = t0;
  const batch = (): PreparedRow[] | undefined => {
    if (made >= todo || Date.now() > deadline + pausedMs) return undefined;
    const f = factories[next++ % SLICES];
    const n = Math.min(BATCH, todo - made);
    made += n;
    return Array.from({ length: n }, (_, i) =>
      prepareRow(f.next(), { captureContent: true, host: host((made + i) % SIDECARS) })
    );
  };
  const pending = [...onReach].sort((a, b) => a.at - b.at);
  let reaching: Promise<void> = Promise.resolve();
  const workers = Array.from({ length: FILL_CONCURRENCY }, async () => {
    for (let rows = batch(); rows; rows = batch()) {
      // Not `have += await …`: that reads `have` before the await and loses the other workers' rows.
      const inserted = await store.insert(rows);
      have += inserted;
      await reaching;
      while (pending.length && have >= pending[0].at) {
        const p = pending.shift()!;
        // The other workers wait for the measurement (the store is idle while it is measured).
        const p0 = performance.now();
        reaching = p.fn();
        await reaching;
        pausedMs += performance.now() - p0;
      }
      const now = performance.now();
      if (now - lastLog > 30_000) {
        lastLog = now;
        process.stderr.write(
          `  fill: ${count(have)} messages, ${rate(made / ((now - t0 - pausedMs) / 1000))} on average\n`
        );
      }
    }
  });
  await Promise.all(workers);
  const s = (performance.now() - t0 - pausedMs) / 1000;
  process.stderr.write(`  fill: ${count(made)} messages written in ${s.toFixed(0)} s (${rate(made / s)})\n`);
  fillNote = `${count(made)} messages written in ${s.toFixed(0)} s (${rate(made / s)}, ${FILL_CONCURRENCY} batches of ${BATCH} in flight)`;
  await store.close();
  const n = Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM messages')).rows[0].n);
  await pool.query('ANALYZE');
  await pool.end();
  return n;
}
let fillNote = '';

/** Against the measures (and the Explorer targets of issue 10), printed at the end. */
const verdicts: (string | number)[][] = [];
const check = (what: string, value: string | number, target: string, met?: boolean) =>
  verdicts.push([what, value, target, met === undefined ? '' : met ? 'met' : 'MISSED']);

interface View {
  name: string;
  /** Requests the page sends together, by label. */
  requests: Record<string, string>;
}

/** What the Explorer page asks when it opens on the default 24 h, and then a search, a server filter and a message. */
async function views(base: string, from: number, to: number, someHost: string): Promise<View[]> {
  const w = `from=${from}&to=${to}`;
  const first = (await (await request(`${base}/analytics/messages?${w}&limit=25`)).body.json()) as {
    messages: { id: string }[];
  };
  const id = first.messages[0]?.id;
  if (!id) throw new Error(`${base}: no message in the window`);
  return [
    {
      name: 'open (24 h)',
      requests: {
        '/aggregations': `/analytics/aggregations?${w}`,
        '/messages (first page)': `/analytics/messages?${w}&limit=25`,
        '/events': `/analytics/events?${w}`,
        '/models': '/analytics/models',
        '/users': '/analytics/users',
        '/hosts': '/analytics/hosts',
        '/categories': '/analytics/categories',
      },
    },
    {
      name: 'search q=latency',
      requests: {
        '/aggregations q': `/analytics/aggregations?${w}&q=latency`,
        '/messages q': `/analytics/messages?${w}&q=latency&limit=25`,
        '/search q': `/analytics/search?${w}&q=latency&limit=5`,
      },
    },
    {
      name: 'server filter',
      requests: {
        '/aggregations host': `/analytics/aggregations?${w}&host=${someHost}`,
        '/messages host': `/analytics/messages?${w}&host=${someHost}&limit=25`,
      },
    },
    { name: 'a message', requests: { '/messages/:id': `/analytics/messages/${encodeURIComponent(id)}` } },
  ];
}

/** Each view RUNS times (its requests sent together, as the page does): p50/p95 of every request, ms. */
interface Timing {
  p50: number;
  p95: number;
  runs: number;
  /** Answers other than 200 (their time counts too: the person waited for them), with the first error. */
  failed: number;
  error?: string;
}

/** A view stops repeating after this long (with at least 3 counted runs): a query that times out costs its whole budget each time. */
const VIEW_BUDGET_MS = 90_000;

/**
 * Each view RUNS times (its requests sent together, as the page does): p50/p95 of every request, ms,
 * failures counted and shown rather than ending the run.
 */
async function timeViews(base: string, vs: View[]): Promise<Map<string, Timing>> {
  const out = new Map<string, Timing>();
  for (const v of vs) {
    const times: Record<string, number[]> = {};
    const failed: Record<string, { n: number; error?: string }> = {};
    const v0 = performance.now();
    for (let run = -2; run < RUNS; run++) {
      if (run >= 3 && performance.now() - v0 > VIEW_BUDGET_MS) break;
      await Promise.all(
        Object.entries(v.requests).map(async ([label, path]) => {
          const t0 = performance.now();
          const res = await request(base + path);
          const body = await res.body.text();
          const ms = performance.now() - t0;
          // The first two runs warm the caches (PostgreSQL's buffers, the JIT); they are not counted.
          if (run < 0) return;
          (times[label] ??= []).push(ms);
          const f = (failed[label] ??= { n: 0 });
          if (res.statusCode !== 200) {
            f.n++;
            f.error ??= `HTTP ${res.statusCode} ${body.slice(0, 120)}`;
          }
        })
      );
    }
    for (const [label, ts] of Object.entries(times)) {
      ts.sort((a, b) => a - b);
      const f = failed[label];
      out.set(`${v.name}: ${label}`, {
        p50: percentile(ts, 50),
        p95: percentile(ts, 95),
        runs: ts.length,
        failed: f?.n ?? 0,
        error: f?.error,
      });
    }
  }
  return out;
}

async function explorer(pgServer: PostgresServer, upstreams: string[]): Promise<void> {
  // A database of its own: part 1's rows all fall in its last minutes; this one holds a day shaped like
  // the SQLite busy day, so the two compare at the same size.
  const admin = new pg.Pool({ connectionString: pgServer.url, max: 1 });
  await admin.query('CREATE DATABASE explorer');
  await admin.end();
  const url = pgServer.url.replace(/\/lens$/, '/explorer');
  // The SQLite reference first (bench/busy-day.ts: the record path, 24 h, 20 % long prompts).
  let reference: { messages: number; note: string; times: Map<string, Timing> } | undefined;
  if (SQLITE_MESSAGES > 0) {
    const day = busyDayStore({ messages: SQLITE_MESSAGES });
    const s = await startSidecar(upstreams[0], day.file, 'sqlite-ref');
    try {
      const to = Date.now();
      reference = {
        messages: day.messages,
        note: day.note,
        times: await timeViews(s.url, await views(s.url, to - DAY_MS, to, 'sqlite-ref')),
      };
    } finally {
      stop(s.child);
    }
  }

  const sidecar = await startSidecar(upstreams[0], url, host(0));
  const measured: { messages: number; times: Map<string, Timing> }[] = [];
  const measure = async () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await pool.query('ANALYZE');
    const to = Date.now();
    // The size that matters is what the 24 h window holds when it is timed (the oldest minutes of a long fill fall out of it).
    const n = Number(
      (
        await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM messages WHERE started_at >= $1', [
          to - DAY_MS,
        ])
      ).rows[0].n
    );
    await pool.end();
    process.stderr.write(`  timing the Explorer on ${count(n)} messages in the last 24 h\n`);
    measured.push({
      messages: n,
      times: await timeViews(sidecar.url, await views(sidecar.url, to - DAY_MS, to, host(1))),
    });
  };
  try {
    const to = Date.now();
    const at = reference && reference.messages < MESSAGES ? [{ at: reference.messages, fn: measure }] : [];
    const reached = await fill(url, MESSAGES, to - DAY_MS, to, Date.now() + FILL_MS, at);
    process.stderr.write(`  PostgreSQL holds ${count(reached)} messages; timing the Explorer\n`);
    await measure();
  } finally {
    stop(sidecar.child);
  }

  console.log(
    `\n## 2. The Explorer through one sidecar's API (default 24 h window; each view ${RUNS}× after 2 warm-ups, its requests sent together)\n`
  );
  console.log(`PostgreSQL fill: ${fillNote}.`);
  if (reference) console.log(`SQLite reference: ${count(reference.messages)} messages (${reference.note}).`);
  const final = measured[measured.length - 1];
  const same = measured.length > 1 ? measured[0] : undefined;
  const headers = ['request', `PostgreSQL ${count(final.messages)}: p50 ms`, 'p95 ms'];
  if (same) headers.push(`PostgreSQL ${count(same.messages)}: p50 ms`, 'p95 ms');
  if (reference) headers.push(`SQLite ${count(reference.messages)}: p50 ms`, 'p95 ms');
  if (same && reference) headers.push('p95 PG ÷ SQLite, same size');
  const p95 = (t: Timing | undefined): string | number =>
    !t ? NaN : t.failed ? `${fmt(t.p95)} (${t.failed} of ${t.runs} failed)` : t.p95;
  const lines = [...final.times.entries()].map(([label, t]) => {
    const line: (string | number)[] = [label, t.p50, p95(t)];
    const s = same?.times.get(label);
    const r = reference?.times.get(label);
    if (same) line.push(s?.p50 ?? NaN, p95(s));
    if (reference) line.push(r?.p50 ?? NaN, p95(r));
    if (same && reference) line.push(s && r ? (s.p95 / r.p95).toFixed(2) : '—');
    return line;
  });
  console.log(table(headers, lines));
  for (const [store, m] of [
    [`PostgreSQL ${count(final.messages)}`, final.times],
    ...(same ? [[`PostgreSQL ${count(same.messages)}`, same.times] as const] : []),
    ...(reference ? [[`SQLite ${count(reference.messages)}`, reference.times] as const] : []),
  ] as const)
    for (const [label, t] of m) if (t.error) console.log(`${store}, ${label}: ${t.error}`);
  check(
    'messages in PostgreSQL when the Explorer was timed',
    count(final.messages),
    '5,000,000',
    final.messages >= 5_000_000
  );
  const worst = (prefix: string) =>
    Math.max(...[...final.times.entries()].filter(([k]) => k.startsWith(prefix)).map(([, t]) => t.p95));
  const open = worst('open');
  const searched = worst('search');
  check('Explorer opening on 24 h: slowest request p95 (ms)', open, '≤ 50 (issue 10)', open <= 50);
  check('search view: slowest request p95 (ms)', searched, '≤ 300 (issue 10)', searched <= 300);
  if (reference)
    console.log(
      `\nOn SQLite the busy-day messages have no host (written without --instance), so its server filter matches nothing.`
    );
}

async function main(): Promise<void> {
  if (process.env.BENCH_SIDECAR !== 'src' && !existsSync(join(ROOT, 'sidecar/dist/main.js')))
    throw new Error(
      'sidecar/dist/main.js is missing: npm run build -w sidecar (npm run bench:scale-out does)'
    );
  console.log('# Ollama Lens scale-out benchmark (issue 16): sidecars sharing one PostgreSQL');
  console.log(
    `Started ${new Date().toISOString()}; load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}. ` +
      'Targets: nothing lost under the 7-minute c=10 load on each of 3 sidecars; p95 of the Explorer requests at 5M messages.'
  );
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-scale-out-'));
  const bin = buildInstantUpstream();
  const upstreamProcs: ReturnType<typeof start>[] = [];
  const upstreams: string[] = [];
  const pgServer = await startPostgres();
  try {
    for (let i = 0; i < SIDECARS; i++) {
      const port = await freePort();
      upstreamProcs.push(start(bin, ['-addr', `127.0.0.1:${port}`]));
      upstreams.push(`http://127.0.0.1:${port}`);
      await waitForHttp(`${upstreams[i]}/api/tags`);
    }
    if (ONLY !== 'explorer') await ingest(pgServer, upstreams, dir);
    if (ONLY !== 'ingest') await explorer(pgServer, upstreams);
    console.log('\n## Against the issue\n');
    console.log(table(['measure', 'value', 'target', ''], verdicts));
  } finally {
    upstreamProcs.forEach(stop);
    // Not thrown: an error here would hide the one that ended the run.
    await pgServer.close().catch((e: unknown) => console.error('closing PostgreSQL:', e));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
