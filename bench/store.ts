/**
 * Message store benchmark.
 *
 *  1. Ingest: batched transactions of realistic records (content + FTS, and metadata only), the
 *     record → row preparation, and the writer end to end. Target ≥ 100k messages/s.
 *  2. A store of BENCH_MESSAGES (default 1M) realistic messages over 30 days, then the p50/p95 of each
 *     Explorer query over the default 24 h window (and a few wider ones): pages, filters, sorts,
 *     search, each aggregation, the detail view. Target p95 ≤ 50 ms.
 *  3. The real sidecar process (src/main.ts) on that store: export of every row as CSV and NDJSON
 *     while its RSS is sampled (constant memory), and its RSS under a query load.
 *
 *   npm run bench:store
 *   BENCH_MESSAGES=200000 BENCH_RUNS=30 BENCH_DB=/tmp/lens-bench.db npx tsx bench/store.ts
 *     (BENCH_DB keeps the generated store and reuses it on the next run if it has the right size)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { percentile, table } from './lib';
import {
  aggregations,
  breakdown,
  DAY_MS,
  latencyHistogram,
  scatter,
  summary,
  timeseries,
  resolveInterval,
  currentStats,
  history,
} from '../sidecar/src/store/aggregate';
import { getMessage, listMessages, search, values } from '../sidecar/src/store/queries';
import { prepareRow, type PreparedRow, type RowOptions } from '../sidecar/src/store/row';
import { MessageStore } from '../sidecar/src/store/store';
import type { MessageFilters } from '../sidecar/src/store/types';
import { StoreWriter } from '../sidecar/src/store/writer';
import { RecordFactory } from '../sidecar/test/store/records';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const INGEST_N = Number(process.env.BENCH_INGEST ?? 50_000);
const TARGET_INGEST = 100_000;
const TARGET_QUERY_MS = 50;
const ROW_OPTS: RowOptions = { captureContent: true, prices: { '*': { input: 0.15, output: 0.6 } } };
const BATCH = 1000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-bench-'));
const out: string[] = [];
const say = (s: string) => {
  process.stdout.write(s + '\n');
  out.push(s);
};
const fmtRate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function freshStore(name: string): MessageStore {
  const file = path.join(tmp, name);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  return new MessageStore(file);
}

function insertAll(store: MessageStore, rows: readonly PreparedRow[]): number {
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) store.insert(rows.slice(i, i + BATCH));
  return performance.now() - t0;
}

/** Best of three: this machine is shared, and a benchmark should report what the code can do. */
function best(fn: () => number): number {
  return Math.min(fn(), fn(), fn());
}

function ingest(): (string | number)[][] {
  const now = Date.now();
  const f = new RecordFactory({ seed: 1, from: now - DAY_MS, to: now, ordered: { count: INGEST_N } });
  const records = Array.from({ length: INGEST_N }, () => f.next());
  const rows: (string | number)[][] = [];

  const prepMs = best(() => {
    const t0 = performance.now();
    for (const r of records) prepareRow(r, ROW_OPTS);
    return performance.now() - t0;
  });
  const full = records.map((r) => prepareRow(r, ROW_OPTS));
  const meta = records.map((r) => prepareRow(r, { ...ROW_OPTS, captureContent: false }));
  const fullMs = best(() => insertAll(freshStore('ingest-full.db'), full));
  const metaMs = best(() => insertAll(freshStore('ingest-meta.db'), meta));
  const writerMs = best(() => {
    const store = freshStore('ingest-writer.db');
    const w = new StoreWriter(store, { ...ROW_OPTS, queueSize: INGEST_N, batchMs: 60_000 });
    const t0 = performance.now();
    for (const r of records) w.record(r);
    w.flush();
    const ms = performance.now() - t0;
    if (w.stats.written !== INGEST_N) throw new Error(`writer wrote ${w.stats.written} of ${INGEST_N}`);
    store.close();
    return ms;
  });
  const avgText = full.reduce((n, r) => n + (r.fts ? r.fts[0].length + r.fts[1].length : 0), 0) / full.length;
  const avgChunks = records.reduce((n, r) => n + (r.chunks?.length ?? 0), 0) / records.length;
  const rate = (ms: number) => (INGEST_N / ms) * 1000;
  rows.push([
    'insert, metadata only (capture off), batches of 1000',
    fmtRate(rate(metaMs)),
    rate(metaMs) >= TARGET_INGEST ? 'pass' : 'FAIL',
  ]);
  rows.push([
    `insert, content + FTS (avg ${Math.round(avgText)} chars indexed, ${avgChunks.toFixed(0)} chunks)`,
    fmtRate(rate(fullMs)),
    rate(fullMs) >= TARGET_INGEST ? 'pass' : 'FAIL',
  ]);
  rows.push(['prepare rows (classify, redaction off, cost, JSON)', fmtRate(rate(prepMs)), '']);
  rows.push([
    'writer end to end (record() → prepared → written)',
    fmtRate(rate(writerMs)),
    rate(writerMs) >= TARGET_INGEST ? 'pass' : 'FAIL',
  ]);
  return rows;
}

/** The big store: reused from BENCH_DB when it already holds MESSAGES rows. */
function bigStore(): { store: MessageStore; file: string; end: number; buildNote: string } {
  const file = process.env.BENCH_DB ?? path.join(tmp, 'big.db');
  if (fs.existsSync(file)) {
    const s = new MessageStore(file);
    const n = s.count();
    const end = (s.db.prepare('SELECT max(started_at) FROM messages').pluck().get() as number) + 1;
    if (n === MESSAGES) return { store: s, file, end, buildNote: `reused ${file}` };
    s.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
  const store = new MessageStore(file);
  const end = Date.now();
  const f = new RecordFactory({
    seed: 2024,
    from: end - 30 * DAY_MS,
    to: end,
    users: 500,
    ordered: { count: MESSAGES },
  });
  let insertMs = 0;
  const t0 = performance.now();
  for (let done = 0; done < MESSAGES;) {
    const n = Math.min(10_000, MESSAGES - done);
    const rows = Array.from({ length: n }, () => prepareRow(f.next(), ROW_OPTS));
    const t1 = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) store.insert(rows.slice(i, i + BATCH));
    insertMs += performance.now() - t1;
    done += n;
    if (done % 100_000 === 0) process.stderr.write(`  generated ${done.toLocaleString('en-US')} messages\n`);
  }
  const totalMs = performance.now() - t0;
  store.db.pragma('optimize');
  return {
    store,
    file,
    end: end + 1,
    buildNote: `built in ${(totalMs / 1000).toFixed(0)} s (inserts ${fmtRate((MESSAGES / insertMs) * 1000)} sustained over the whole build)`,
  };
}

interface QueryCase {
  name: string;
  run: (i: number) => unknown;
  /** Wider than the Explorer's default 24 h: reported, but the target applies to the default view. */
  wide?: boolean;
}

function measure(c: QueryCase): { p50: number; p95: number; max: number } {
  c.run(0);
  const times: number[] = [];
  // Wide windows take seconds per run when they miss the target; a few runs show that well enough.
  const runs = c.wide ? Math.min(RUNS, 10) : RUNS;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    c.run(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] };
}

function queries(store: MessageStore, end: number): (string | number)[][] {
  const day = { from: end - DAY_MS, to: end };
  const week = { from: end - 7 * DAY_MS, to: end };
  const month = { from: end - 30 * DAY_MS, to: end };
  const models = values(store, 'model', day).map((m) => m.name);
  const users = values(store, 'user', day).map((u) => u.name);
  const pick = <T>(xs: T[], i: number) => xs[i % xs.length];
  const sessions = store
    .prepare('SELECT DISTINCT session FROM messages WHERE started_at >= ? AND session IS NOT NULL LIMIT 200')
    .pluck()
    .all(day.from) as string[];
  const ids = store
    .prepare('SELECT id FROM messages WHERE started_at >= ? LIMIT 500')
    .pluck()
    .all(day.from) as string[];
  // Words from the generator's vocabulary: very common, common and rare; and a phrase.
  const common = ['the', 'data', 'report', 'model'];
  const rare = ['apollo', 'sourdough', 'postcodes', 'washing', 'jazz', 'negotiation'];
  const firstPage = listMessages(store, day, { sort: 'time', order: 'desc', limit: 25 });
  const page = (
    f: MessageFilters,
    sort: Parameters<typeof listMessages>[2]['sort'] = 'time',
    cursor?: string
  ) => listMessages(store, f, { sort, order: 'desc', limit: 25, cursor });
  const iv = (w: { from: number; to: number }) => resolveInterval(w, undefined);

  const cases: QueryCase[] = [
    { name: 'page: newest 25 (24 h)', run: () => page(day) },
    { name: 'page 2 (cursor)', run: () => page(day, 'time', firstPage.next_cursor!) },
    {
      name: 'page: model + status + category (24 h)',
      run: (i) => page({ ...day, model: [pick(models, i)], status: ['success'], category: ['code'] }),
    },
    { name: 'page: user (7 d)', run: (i) => page({ ...week, user: pick(users, i) }) },
    { name: 'page: session (30 d)', run: (i) => page({ ...month, session: pick(sessions, i) }) },
    {
      name: 'page: token + latency ranges (24 h)',
      run: () =>
        page({
          ...day,
          min_input_tokens: 100,
          max_output_tokens: 200,
          min_latency_ms: 1000,
          max_latency_ms: 10000,
        }),
    },
    { name: 'page: sort by latency (24 h)', run: () => page(day, 'latency') },
    { name: 'page: sort by tokens (24 h)', run: () => page(day, 'tokens') },
    { name: 'page: sort by user (24 h)', run: () => page(day, 'user') },
    { name: 'page: sort by latency (30 d)', run: () => page(month, 'latency'), wide: true },
    { name: 'page: q rare word (24 h)', run: (i) => page({ ...day, q: pick(rare, i) }) },
    { name: 'page: q common word (24 h)', run: (i) => page({ ...day, q: pick(common, i) }) },
    { name: 'search: rare word (30 d)', run: (i) => search(store, { ...month, q: pick(rare, i) }, 20) },
    { name: 'search: common word (30 d)', run: (i) => search(store, { ...month, q: pick(common, i) }, 20) },
    {
      name: 'search: phrase + model (7 d)',
      run: (i) => search(store, { ...week, q: '"quarterly sales report"', model: [pick(models, i)] }, 20),
    },
    { name: 'detail: one message + session', run: (i) => getMessage(store, pick(ids, i)) },
    { name: 'agg: summary + previous window (24 h)', run: () => summary(store, {}, day) },
    { name: 'agg: timeseries + p50/95/99 (24 h)', run: () => timeseries(store, {}, day, iv(day)) },
    { name: 'agg: breakdown by model (24 h)', run: () => breakdown(store, {}, day, 'model') },
    { name: 'agg: breakdown by category (24 h)', run: () => breakdown(store, {}, day, 'category') },
    { name: 'agg: breakdown by status (24 h)', run: () => breakdown(store, {}, day, 'status') },
    { name: 'agg: breakdown by user (24 h)', run: () => breakdown(store, {}, day, 'user') },
    { name: 'agg: latency histogram (24 h)', run: () => latencyHistogram(store, {}, day) },
    { name: 'agg: scatter sample (24 h)', run: () => scatter(store, {}, day) },
    { name: 'agg: all parts (24 h) = /aggregations', run: () => aggregations(store, day, {}, end) },
    {
      name: 'agg: all parts, one model (24 h)',
      run: (i) => aggregations(store, { ...day, model: [pick(models, i)] }, {}, end),
    },
    { name: 'agg: all parts (7 d)', run: () => aggregations(store, week, {}, end), wide: true },
    { name: 'agg: all parts (30 d)', run: () => aggregations(store, month, {}, end), wide: true },
    {
      name: 'variables: models / users (24 h)',
      run: () => (values(store, 'model', day), values(store, 'user', day)),
    },
    {
      name: 'stats: current + history (24 h)',
      run: () => (currentStats(store, day, 1), history(store, day, undefined, end)),
    },
  ];
  const inDay = store
    .prepare('SELECT count(*) FROM messages WHERE started_at >= ?')
    .pluck()
    .get(day.from) as number;
  say(`\n24 h window: ${inDay.toLocaleString('en-US')} messages; 7 d and 30 d windows are 7× and 30× that.`);
  return cases.map((c) => {
    const r = measure(c);
    const ok = r.p95 <= TARGET_QUERY_MS;
    return [
      c.name,
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      r.max.toFixed(1),
      ok ? 'pass' : c.wide ? 'over (wide window)' : 'FAIL',
    ];
  });
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** The real sidecar process on the big store: exports and a query load, with its RSS sampled. */
async function sidecarRuns(file: string, messages: number): Promise<(string | number)[][]> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main.ts',
      '--port',
      '0',
      '--db',
      file,
      '--retention-days',
      '0',
      '--log-level',
      'warn',
      '--upstream',
      'http://127.0.0.1:9',
    ],
    { cwd: path.resolve(__dirname, '../sidecar'), stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let logs = '';
  proc.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const until = Date.now() + 30_000;
    const poll = async () => {
      // The ready line is logged at info; at warn level, find the port from the process's sockets instead.
      const m = /"proxyUrl":"([^"]+)"/.exec(logs);
      if (m) return resolve(m[1]);
      try {
        const port = listeningPort(proc.pid!);
        if (port) {
          const r = await request(`http://127.0.0.1:${port}/healthz`);
          await r.body.text();
          return resolve(`http://127.0.0.1:${port}`);
        }
      } catch {
        // not yet
      }
      if (Date.now() > until) return reject(new Error(`sidecar did not start: ${logs}`));
      setTimeout(poll, 100);
    };
    void poll();
  });
  const rows: (string | number)[][] = [];
  const agent = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
  try {
    const idle = rssOf(proc.pid!);
    rows.push(['sidecar RSS, idle on the store', mb(idle), '', '', '']);
    for (const format of ['csv', 'ndjson'] as const) {
      let peak = rssOf(proc.pid!);
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(proc.pid!))), 50);
      const t0 = performance.now();
      const res = await request(`${url}/analytics/export?format=${format}&from=0`, { dispatcher: agent });
      let bytes = 0;
      let lines = 0;
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        for (const b of chunk as Buffer) if (b === 10) lines++;
      }
      const ms = performance.now() - t0;
      clearInterval(sampler);
      const rowsOut = format === 'ndjson' ? lines : messages; // CSV fields hold newlines; NDJSON counts exactly
      if (format === 'ndjson' && lines !== messages)
        throw new Error(`export gave ${lines} lines for ${messages} messages`);
      rows.push([
        `export ${rowsOut.toLocaleString('en-US')} rows as ${format.toUpperCase()}`,
        `${(ms / 1000).toFixed(1)} s`,
        fmtRate((messages / ms) * 1000),
        mb(bytes),
        `peak RSS ${mb(peak)}`,
      ]);
    }
    // RSS under a query load: the Explorer's requests, 4 at a time, for a while.
    let peak = rssOf(proc.pid!);
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(proc.pid!))), 50);
    const end = Date.now();
    const paths = [
      '/analytics/messages',
      '/analytics/aggregations',
      '/analytics/search?q=report',
      '/analytics/messages?sort=latency',
      `/analytics/aggregations?from=${end - 7 * DAY_MS}&to=${end}`,
      '/analytics/models',
    ];
    const t0 = performance.now();
    let n = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 40; i++) {
          const r = await request(url + paths[(i + w) % paths.length], { dispatcher: agent });
          await r.body.text();
          if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}`);
          n++;
        }
      })
    );
    const ms = performance.now() - t0;
    clearInterval(sampler);
    rows.push([
      `query load: ${n} Explorer requests, 4 concurrent`,
      `${(ms / 1000).toFixed(1)} s`,
      fmtRate((n / ms) * 1000),
      '',
      `peak RSS ${mb(peak)}`,
    ]);
  } finally {
    await agent.close();
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
  }
  return rows;
}

/** The TCP port a process listens on (from /proc/net/tcp and its socket inodes). */
function listeningPort(pid: number): number | undefined {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /socket:\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // fd closed meanwhile
    }
  }
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] === '0A' && inodes.has(cols[9])) return parseInt(cols[1].split(':')[1], 16);
  }
  return undefined;
}

async function main(): Promise<void> {
  say(
    `Message store benchmark (node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'})`
  );
  say(
    `\n## Ingest (${INGEST_N.toLocaleString('en-US')} realistic messages, best of 3; target ≥ ${TARGET_INGEST.toLocaleString('en-US')} messages/s)\n`
  );
  say(table(['what', 'rate', 'target'], ingest()));

  say(
    `\n## Explorer queries on ${MESSAGES.toLocaleString('en-US')} messages over 30 days (${RUNS} runs each; target p95 ≤ ${TARGET_QUERY_MS} ms)`
  );
  const { store, file, end, buildNote } = bigStore();
  say(
    `store: ${buildNote}; ${mb(store.fileBytes())} on disk (${Math.round(store.fileBytes() / MESSAGES)} bytes/message)`
  );
  const q = queries(store, end);
  say('');
  say(table(['query', 'p50 ms', 'p95 ms', 'max ms', 'target'], q));
  store.close();

  say(`\n## The sidecar process on that store: streamed exports (constant memory) and RSS under load\n`);
  say(table(['what', 'time', 'rate', 'size', 'memory'], await sidecarRuns(file, MESSAGES)));
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.writeFileSync(path.join(os.tmpdir(), 'ollama-lens-bench-store.md'), out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
