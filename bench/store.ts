/**
 * Message store benchmark: what the Explorer costs on a busy store, against the targets of issue 10.
 *
 *  1. Ingest: batched transactions of realistic records with long prompts (pasted documents, long chat
 *     histories), with and without the full-text index, metadata only, row preparation, and the writer
 *     end to end. Target ≥ 100k messages/s with FTS, or say what bounds it.
 *  2. Two store shapes, each generated once (and kept for the next run):
 *       day:   BENCH_MESSAGES (1M) messages within the last 24 h (a busy day, ~11 requests/s)
 *       month: BENCH_MONTH_MESSAGES (5M) messages over 30 days
 *     and on each the p50/p95 of every query the Explorer makes, calling the query functions directly
 *     (the reader threads call the same functions): the default 24 h view ≤ 50 ms, 7- and 30-day
 *     windows ≤ 100 ms, views filtered by a search ≤ 300 ms.
 *  3. The real sidecar process (src/main.ts: reader threads, HTTP) on the day store: p95 of each
 *     request of the Explorer's default view and of a search view, 4 at a time as the page sends
 *     them, with the process's RSS sampled (target ≤ 150 MB); then streamed exports (constant memory).
 *
 *   npm run bench:store
 *   BENCH_SHAPES=day BENCH_MESSAGES=200000 BENCH_RUNS=20 npx tsx bench/store.ts
 *
 * Environment: BENCH_SHAPES (day,month), BENCH_MESSAGES, BENCH_MONTH_MESSAGES, BENCH_RUNS (30),
 * BENCH_INGEST (50000; 0 skips part 1), BENCH_LONG (share of long prompts, 0.3), BENCH_HTTP (1; 0 skips part 3),
 * BENCH_EXPORT (1; 0 skips the exports), BENCH_DB (directory of the generated stores, default
 * $TMPDIR/ollama-lens-bench; a store is reused when it holds the asked-for count), BENCH_BUILD_ONLY=1
 * (generate the stores and stop).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { percentile, table } from './lib';
import { aggregations, currentStats, dataSummary, DAY_MS, history } from '../sidecar/src/store/aggregate';
import { getMessage, listMessages, search, values, type PageRequest } from '../sidecar/src/store/queries';
import { prepareRow, type PreparedRow, type RowOptions } from '../sidecar/src/store/row';
import { MessageStore } from '../sidecar/src/store/store';
import { SORTS, type MessageFilters } from '@ollama-lens/contracts';
import { StoreWriter } from '../sidecar/src/store/writer';
import { RecordFactory } from '@ollama-lens/testkit/records';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const DAY_MESSAGES = num('BENCH_MESSAGES', 1_000_000);
const MONTH_MESSAGES = num('BENCH_MONTH_MESSAGES', 5_000_000);
const SHAPES = (process.env.BENCH_SHAPES ?? 'day,month').split(',').map((s) => s.trim());
const RUNS = num('BENCH_RUNS', 30);
const INGEST_N = num('BENCH_INGEST', 50_000);
const LONG = num('BENCH_LONG', 0.3);
const DB_DIR = process.env.BENCH_DB ?? path.join(os.tmpdir(), 'ollama-lens-bench');
/** BENCH_MONTH_CONTENT=0: the month store without content (no text, no FTS; its searches are skipped). */
const MONTH_CONTENT = process.env.BENCH_MONTH_CONTENT !== '0';
const TARGET_INGEST = 100_000;
const TARGET = { view: 50, wide: 100, search: 300 } as const;
const ROW_OPTS: RowOptions = { captureContent: true };
/** The records' cost is derived with these prices (--prices), as the tap does. */
const PRICES = { '*': { input: 0.15, output: 0.6 } };
const BATCH = 1000;

const out: string[] = [];
const say = (s: string) => {
  process.stdout.write(s + '\n');
  out.push(s);
};
const fmtRate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const count = (n: number) => n.toLocaleString('en-US');

function removeDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

// ---------------------------------------------------------------------------------------------
// 1. Ingest

function ingest(): (string | number)[][] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-ingest-'));
  const fresh = (name: string) => {
    const file = path.join(tmp, name);
    removeDb(file);
    return new MessageStore(file);
  };
  const insertAll = (store: MessageStore, rows: readonly PreparedRow[]) => {
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) store.insert(rows.slice(i, i + BATCH));
    const ms = performance.now() - t0;
    store.close();
    return ms;
  };
  // Best of three: the machine is shared; a benchmark should report what the code can do.
  const best = (fn: () => number) => Math.min(fn(), fn(), fn());

  const now = Date.now();
  const f = new RecordFactory({
    prices: PRICES,
    seed: 1,
    from: now - DAY_MS,
    to: now,
    users: 500,
    longPrompts: LONG,
    ordered: { count: INGEST_N },
  });
  const records = Array.from({ length: INGEST_N }, () => f.next());
  const prepMs = best(() => {
    const t0 = performance.now();
    for (const r of records) prepareRow(r, ROW_OPTS);
    return performance.now() - t0;
  });
  const full = records.map((r) => prepareRow(r, ROW_OPTS));
  const noFts = full.map((r): PreparedRow => ({ ...r, fts: null }));
  const meta = records.map((r) => prepareRow(r, { ...ROW_OPTS, captureContent: false }));
  const fullMs = best(() => insertAll(fresh('full.db'), full));
  const noFtsMs = best(() => insertAll(fresh('nofts.db'), noFts));
  const metaMs = best(() => insertAll(fresh('meta.db'), meta));
  const writerMs = best(() => {
    const store = fresh('writer.db');
    const w = new StoreWriter(store, { ...ROW_OPTS, queueSize: INGEST_N, batchMs: 60_000 });
    const t0 = performance.now();
    for (const r of records) w.record(r);
    w.flush();
    const ms = performance.now() - t0;
    if (w.stats.written !== INGEST_N) throw new Error(`writer wrote ${w.stats.written} of ${INGEST_N}`);
    store.close();
    return ms;
  });
  fs.rmSync(tmp, { recursive: true, force: true });
  const avgText = full.reduce((n, r) => n + (r.fts ? r.fts[0].length + r.fts[1].length : 0), 0) / full.length;
  const maxText = Math.max(...full.map((r) => (r.fts ? r.fts[0].length + r.fts[1].length : 0)));
  const rate = (ms: number) => (INGEST_N / ms) * 1000;
  const verdict = (ms: number) => (rate(ms) >= TARGET_INGEST ? 'pass' : 'FAIL');
  return [
    [
      `insert, content + FTS (avg ${count(Math.round(avgText))} chars indexed, max ${count(maxText)})`,
      fmtRate(rate(fullMs)),
      verdict(fullMs),
    ],
    ['insert, content without FTS (the same rows)', fmtRate(rate(noFtsMs)), ''],
    ['insert, metadata only (capture off)', fmtRate(rate(metaMs)), ''],
    ['prepare rows (parse, classify, cost, JSON; redaction off)', fmtRate(rate(prepMs)), ''],
    [
      'writer end to end (record() → prepared → written, with FTS)',
      fmtRate(rate(writerMs)),
      verdict(writerMs),
    ],
  ];
}

// ---------------------------------------------------------------------------------------------
// 2. The stores and the query functions

interface Shape {
  name: 'day' | 'month';
  messages: number;
  spanMs: number;
  content: boolean;
}

/** A generated store: reused from BENCH_DB when it holds the asked-for count. */
function shapeStore(shape: Shape): { file: string; end: number; note: string } {
  fs.mkdirSync(DB_DIR, { recursive: true });
  const file = path.join(DB_DIR, `${shape.name}-${shape.messages}${shape.content ? '' : '-meta'}.db`);
  if (fs.existsSync(file)) {
    const s = new MessageStore(file);
    const d = dataSummary(s);
    s.close();
    if (d.messages === shape.messages && d.newest !== null)
      return { file, end: d.newest + 1, note: `reused ${file}` };
    removeDb(file);
  }
  const store = new MessageStore(file);
  const end = Date.now();
  const f = new RecordFactory({
    prices: PRICES,
    seed: shape.name === 'day' ? 2024 : 2025,
    from: end - shape.spanMs,
    to: end,
    users: 500,
    longPrompts: shape.content ? LONG : 0,
    ordered: { count: shape.messages },
  });
  const rowOpts = { ...ROW_OPTS, captureContent: shape.content };
  let insertMs = 0;
  const t0 = performance.now();
  for (let done = 0; done < shape.messages;) {
    const n = Math.min(10_000, shape.messages - done);
    const rows = Array.from({ length: n }, () => prepareRow(f.next(), rowOpts));
    const t1 = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) store.insert(rows.slice(i, i + BATCH));
    insertMs += performance.now() - t1;
    done += n;
    if (done % 250_000 === 0) process.stderr.write(`  ${shape.name}: generated ${count(done)} messages\n`);
  }
  store.db.pragma('optimize');
  const newest = dataSummary(store).newest ?? end;
  store.close();
  const totalS = (performance.now() - t0) / 1000;
  return {
    file,
    end: newest + 1,
    note: `built in ${totalS.toFixed(0)} s (inserts ${fmtRate((shape.messages / insertMs) * 1000)} sustained)`,
  };
}

type Target = keyof typeof TARGET;

interface QueryCase {
  name: string;
  target: Target;
  run: (i: number) => unknown;
}

function measure(c: QueryCase): { p50: number; p95: number; max: number } {
  c.run(0);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    c.run(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] };
}

const COMMON_WORDS = ['the', 'data', 'customer', 'report'];
const RARE_WORDS = ['apollo', 'sourdough', 'postcodes', 'washing', 'jazz', 'negotiation'];

function queryCases(store: MessageStore, shape: Shape, end: number): QueryCase[] {
  const day = { from: end - DAY_MS, to: end };
  const week = { from: end - 7 * DAY_MS, to: end };
  const month = { from: end - 30 * DAY_MS, to: end };
  const models = values(store, 'model', day).map((m) => m.name);
  const users = values(store, 'user', day).map((u) => u.name);
  const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length];
  const ids = store
    .prepare('SELECT id FROM messages WHERE started_at >= ? ORDER BY started_at LIMIT 500')
    .pluck()
    .all(day.from) as string[];
  const page = (f: MessageFilters, sort: PageRequest['sort'] = 'time', cursor?: string) =>
    listMessages(store, f, { sort, order: 'desc', limit: 25, cursor });
  const first = page(day);
  const agg = (f: MessageFilters) => aggregations(store, f, {}, end);

  const cases: QueryCase[] = [
    // Every request the Explorer's default 24 h view makes, and what a click in it makes.
    { name: '24 h: /aggregations, all parts', target: 'view', run: () => agg(day) },
    { name: '24 h: page of 25, newest first', target: 'view', run: () => page(day) },
    {
      name: '24 h: models + users (variables)',
      target: 'view',
      run: () => (values(store, 'model', {}), values(store, 'user', {})),
    },
    {
      name: '24 h: page 2 (cursor)',
      target: 'view',
      run: () => page(day, 'time', first.next_cursor ?? undefined),
    },
    ...SORTS.filter((s) => s !== 'time').map((sort): QueryCase => ({
      name: `24 h: sort by ${sort}`,
      target: 'view',
      run: () => page(day, sort),
    })),
    {
      name: '24 h: /aggregations, one model',
      target: 'view',
      run: (i) => agg({ ...day, model: [pick(models, i)] }),
    },
    {
      name: '24 h: /aggregations, status error',
      target: 'view',
      run: () => agg({ ...day, status: ['error', 'timeout'] }),
    },
    { name: '24 h: /stats/current', target: 'view', run: () => currentStats(store, day, 1, end) },
    { name: '24 h: /stats/history', target: 'view', run: () => history(store, day, undefined, end) },
    { name: 'message detail + session', target: 'view', run: (i) => getMessage(store, pick(ids, i)) },
    // Search views.
    {
      name: '24 h, q common word: /aggregations',
      target: 'search',
      run: (i) => agg({ ...day, q: pick(COMMON_WORDS, i) }),
    },
    {
      name: '24 h, q rare word: /aggregations',
      target: 'search',
      run: (i) => agg({ ...day, q: pick(RARE_WORDS, i) }),
    },
    {
      name: '24 h, q + model: /aggregations',
      target: 'search',
      run: (i) => agg({ ...day, q: pick(COMMON_WORDS, i), model: [pick(models, i)] }),
    },
    {
      name: '24 h, q common word: page',
      target: 'search',
      run: (i) => page({ ...day, q: pick(COMMON_WORDS, i) }),
    },
    {
      name: '24 h, q rare word: page',
      target: 'search',
      run: (i) => page({ ...day, q: pick(RARE_WORDS, i) }),
    },
    {
      name: '24 h, q common word: /search',
      target: 'search',
      run: (i) => search(store, { ...day, q: pick(COMMON_WORDS, i) }, 20),
    },
    // Filters no rollup holds (bounded reads of the newest matches).
    {
      name: '24 h, one user: /aggregations',
      target: 'search',
      run: (i) => agg({ ...day, user: pick(users, i) }),
    },
    {
      name: '24 h, token + latency ranges: /aggregations',
      target: 'search',
      run: () => agg({ ...day, min_input_tokens: 100, max_output_tokens: 200, min_latency_ms: 1000 }),
    },
  ];
  if (shape.name === 'month') {
    for (const [label, w] of [
      ['7 d', week],
      ['30 d', month],
    ] as const) {
      cases.push(
        { name: `${label}: /aggregations, all parts`, target: 'wide', run: () => agg(w) },
        {
          name: `${label}: /aggregations, one model`,
          target: 'wide',
          run: (i) => agg({ ...w, model: [pick(models, i)] }),
        },
        { name: `${label}: page of 25`, target: 'wide', run: () => page(w) },
        { name: `${label}: sort by output_tokens`, target: 'wide', run: () => page(w, 'output_tokens') },
        { name: `${label}: sort by latency`, target: 'wide', run: () => page(w, 'latency') },
        {
          name: `${label}: /stats/current + /stats/history`,
          target: 'wide',
          run: () => (currentStats(store, w, 1, end), history(store, w, undefined, end)),
        },
        {
          name: `${label}, q common word: /aggregations`,
          target: 'search',
          run: (i) => agg({ ...w, q: pick(COMMON_WORDS, i) }),
        },
        {
          name: `${label}, q rare word: page`,
          target: 'search',
          run: (i) => page({ ...w, q: pick(RARE_WORDS, i) }),
        }
      );
    }
  }
  // Without content there is nothing to search.
  return shape.content ? cases : cases.filter((c) => !c.name.includes(', q '));
}

function queryTable(file: string, shape: Shape, end: number): (string | number)[][] {
  const store = new MessageStore(file, { cacheMb: 16 });
  try {
    const inDay = aggregations(store, { from: end - DAY_MS, to: end }, { include: ['summary'] }, end).summary
      .messages;
    say(
      `${count(inDay)} messages in the last 24 h of the data; ${mb(store.fileBytes())} on disk ` +
        `(${count(Math.round(store.fileBytes() / shape.messages))} bytes/message)`
    );
    const sampled = aggregations(
      store,
      { from: end - DAY_MS, to: end, q: 'the' },
      { include: ['summary'] },
      end
    );
    say(
      `search "the" over 24 h: sampled=${String(sampled.sampled)}, matched=${sampled.matched === null ? 'null' : count(sampled.matched)}, sample_size=${String(sampled.sample_size)}`
    );
    return queryCases(store, shape, end).map((c) => {
      const r = measure(c);
      const target = TARGET[c.target];
      return [
        c.name,
        r.p50.toFixed(1),
        r.p95.toFixed(1),
        r.max.toFixed(1),
        `≤ ${target}`,
        r.p95 <= target ? 'pass' : 'FAIL',
      ];
    });
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. The sidecar process over HTTP

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
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

async function startSidecar(file: string): Promise<{ proc: ChildProcess; url: string }> {
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
  proc.stdout!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-20_000)));
  proc.stderr!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-20_000)));
  const until = Date.now() + 120_000;
  for (;;) {
    const port = proc.pid !== undefined && proc.exitCode === null ? listeningPort(proc.pid) : undefined;
    if (port) {
      try {
        const r = await request(`http://127.0.0.1:${port}/analytics/data/summary`);
        await r.body.text();
        if (r.statusCode === 200) return { proc, url: `http://127.0.0.1:${port}` };
      } catch {
        // not yet
      }
    }
    if (proc.exitCode !== null || Date.now() > until) throw new Error(`sidecar did not start: ${logs}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function httpRuns(file: string, end: number, messages: number): Promise<(string | number)[][]> {
  const { proc, url } = await startSidecar(file);
  const agent = new Agent({ bodyTimeout: 0, headersTimeout: 0, connections: 8 });
  const rows: (string | number)[][] = [];
  const win = `from=${end - DAY_MS}&to=${end}`;
  // The Explorer's default view sends these together on every (auto-)refresh.
  const view = [
    `/analytics/aggregations?${win}`,
    `/analytics/messages?${win}&limit=25`,
    '/analytics/models',
    '/analytics/users',
  ];
  const searchView = (w: string) => [
    `/analytics/aggregations?${win}&q=${w}`,
    `/analytics/messages?${win}&limit=25&q=${w}`,
    `/analytics/search?${win}&q=${w}&limit=20`,
  ];
  const get = async (p: string): Promise<number> => {
    const t0 = performance.now();
    const r = await request(url + p, { dispatcher: agent });
    await r.body.text();
    if (r.statusCode !== 200) throw new Error(`${p}: HTTP ${r.statusCode}`);
    return performance.now() - t0;
  };
  try {
    const idle = rssOf(proc.pid!);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(proc.pid!))), 50);
    const times = new Map<string, number[]>();
    const label = (p: string) => p.replace(/[?&](from|to)=\d+/g, '').replace(/q=\w+/, 'q=…');
    for (const p of [...view, ...searchView('the')]) await get(p); // warm-up
    const tLoad = performance.now();
    let n = 0;
    for (let i = 0; i < RUNS; i++) {
      for (const set of [view, searchView(i % 2 ? 'the' : 'customer')]) {
        const ms = await Promise.all(set.map(get));
        set.forEach((p, j) => {
          const k = (set === view ? 'view: ' : 'search view: ') + label(p);
          times.set(k, [...(times.get(k) ?? []), ms[j]]);
        });
        n += set.length;
      }
    }
    const loadS = (performance.now() - tLoad) / 1000;
    clearInterval(sampler);
    for (const [k, ts] of times) {
      ts.sort((a, b) => a - b);
      const target = k.startsWith('view') ? TARGET.view : TARGET.search;
      const p95 = percentile(ts, 95);
      rows.push([
        k,
        percentile(ts, 50).toFixed(1),
        p95.toFixed(1),
        `≤ ${target}`,
        p95 <= target ? 'pass' : 'FAIL',
      ]);
    }
    rows.push([
      `sidecar RSS: idle ${mb(idle)}, peak under ${n} requests in ${loadS.toFixed(1)} s`,
      '',
      mb(peak),
      '≤ 150 MiB',
      peak <= 150 * 1024 * 1024 ? 'pass' : 'FAIL',
    ]);
    if (process.env.BENCH_EXPORT !== '0') {
      for (const format of ['csv', 'ndjson'] as const) {
        let ePeak = rssOf(proc.pid!);
        const s2 = setInterval(() => (ePeak = Math.max(ePeak, rssOf(proc.pid!))), 50);
        const t0 = performance.now();
        const res = await request(`${url}/analytics/export?format=${format}&from=0`, { dispatcher: agent });
        let bytes = 0;
        let lines = 0;
        for await (const chunk of res.body) {
          bytes += (chunk as Buffer).length;
          for (const b of chunk as Buffer) if (b === 10) lines++;
        }
        const ms = performance.now() - t0;
        clearInterval(s2);
        if (format === 'ndjson' && lines !== messages)
          throw new Error(`export gave ${lines} lines for ${messages} messages`);
        rows.push([
          `export ${count(messages)} rows as ${format.toUpperCase()}: ${(ms / 1000).toFixed(1)} s, ${fmtRate((messages / ms) * 1000)}, ${mb(bytes)}`,
          '',
          mb(ePeak),
          '≤ 150 MiB',
          ePeak <= 150 * 1024 * 1024 ? 'pass' : 'FAIL',
        ]);
      }
    }
  } finally {
    await agent.close();
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const shapes: Shape[] = [
    { name: 'day' as const, messages: DAY_MESSAGES, spanMs: DAY_MS, content: true },
    { name: 'month' as const, messages: MONTH_MESSAGES, spanMs: 30 * DAY_MS, content: MONTH_CONTENT },
  ].filter((s) => SHAPES.includes(s.name));
  if (process.env.BENCH_BUILD_ONLY === '1') {
    for (const s of shapes) process.stdout.write(`${s.name}: ${shapeStore(s).note}\n`);
    return;
  }
  say(
    `Message store benchmark (node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg()[0].toFixed(1)})`
  );
  if (INGEST_N > 0) {
    say(
      `\n## Ingest: ${count(INGEST_N)} realistic messages, ${Math.round(LONG * 100)} % with long prompts (best of 3; target ≥ ${count(TARGET_INGEST)}/s with FTS)\n`
    );
    say(table(['what', 'rate', 'target'], ingest()));
  }

  let dayStore: { file: string; end: number } | undefined;
  for (const shape of shapes) {
    say(
      `\n## ${shape.name === 'day' ? 'A busy day' : 'A month'}: ${count(shape.messages)} messages over ${shape.name === 'day' ? 'the last 24 h' : '30 days'}${shape.content ? '' : ' (metadata only: content capture off, no search)'} — the query functions (${RUNS} runs each)\n`
    );
    const s = shapeStore(shape);
    say(`store: ${s.note}`);
    const rows = queryTable(s.file, shape, s.end);
    say('');
    say(table(['request', 'p50 ms', 'p95 ms', 'max ms', 'target', ''], rows));
    if (shape.name === 'day') dayStore = s;
  }

  if (dayStore && process.env.BENCH_HTTP !== '0') {
    say(
      `\n## The sidecar process (reader threads, HTTP) on the busy-day store: each request of the Explorer's views, sent together as the page does (${RUNS} rounds)\n`
    );
    say(
      table(
        ['request', 'p50 ms', 'p95 ms', 'target', ''],
        await httpRuns(dayStore.file, dayStore.end, DAY_MESSAGES)
      )
    );
  }
  fs.writeFileSync(
    path.join(os.tmpdir(), `ollama-lens-bench-store-${SHAPES.join('-')}.md`),
    out.join('\n') + '\n'
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
