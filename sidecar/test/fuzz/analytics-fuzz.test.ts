/**
 * Property-based fuzzing of the analytics API through the real sidecar in front of the real Ollama,
 * with stored traffic and a proxied /api/generate stream running alongside. Cases are generated from
 * the routes' own schemas (routes.ts) with hostile values (hostile.ts). The properties:
 *   - every answer is a 2xx, or a 4xx with a JSON error body, and comes within REQUEST_BOUND_MS;
 *   - the process keeps proxying: every stream alongside completes, and Ollama is reachable after;
 *   - the store passes PRAGMA integrity_check (and FTS5's own) after the sidecar closed.
 * A failure's seed and path are added to fuzz-seeds.json and replayed first on every later run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { request } from 'undici';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { fuzzCase, ODD_METHODS, targetOf, type FuzzCase } from './hostile';
import { rawRequest, type RawResponse } from './raw-http';
import { analyticsRoutes, assertServedBy, type RouteSpec } from './routes';

const SEEDS_FILE = path.join(__dirname, 'fuzz-seeds.json');
/** An answer slower than this is a hang (the query budget below is a third of it). */
const REQUEST_BOUND_MS = 15_000;
const QUERY_TIMEOUT_MS = 5_000;
/** Wall-clock budget per property; the run count is what fits (printed). */
const BUDGET_MS = { read: 60_000, guarded: 12_000, destructive: 10_000 };
const TOKEN = 'fuzz-admin-token-0123456789';
const ORIGIN = 'http://grafana.example';

/** Authorization headers, each with whether it carries the token (the scheme is case-insensitive). */
const AUTHORIZATIONS: [string | undefined, boolean][] = [
  [`Bearer ${TOKEN}`, true],
  [`bearer ${TOKEN}`, true],
  [`Bearer   ${TOKEN}  `, true],
  [undefined, false],
  ['Bearer', false],
  ['Bearer ', false],
  [`Bearer ${TOKEN}x`, false],
  [`Bearer ${TOKEN.slice(0, -1)}`, false],
  [`Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, false],
  [`Bearer ${'A'.repeat(10_000)}`, false],
  ['Bearer \xff\xfe', false],
  [`Bearer ${TOKEN}\x00`, false],
  [`Bearer ${TOKEN}, Bearer x`, false],
  ['Bearer __proto__', false],
];

interface KeptSeed {
  property: string;
  /** The kind of failure (method, status, what was wrong), for keeping each bug once. */
  signature: string;
  seed: number;
  path: string;
  found: string;
  failure: string;
}

function keptSeeds(): KeptSeed[] {
  return fs.existsSync(SEEDS_FILE) ? (JSON.parse(fs.readFileSync(SEEDS_FILE, 'utf8')) as KeptSeed[]) : [];
}

function keepSeed(s: KeptSeed): void {
  const all = keptSeeds();
  if (all.some((k) => k.property === s.property && k.signature === s.signature)) return;
  fs.writeFileSync(SEEDS_FILE, JSON.stringify([...all, s], null, 2) + '\n');
}

let sidecar: TestSidecar;
let routes: RouteSpec[];
const counts = { cases: 0, byStatus: new Map<number, number>(), slowestMs: 0, replayed: 0 };

/**
 * A broken property. `signature` names the kind of failure without the request's details, so the
 * same bug found again from another seed is not kept twice.
 */
class FuzzFailure extends Error {
  constructor(
    readonly signature: string,
    message: string
  ) {
    super(message);
  }
}

/**
 * What every answer must be. Throws a FuzzFailure (with the case) when it is not. `authorized`: the
 * request carried the admin token (or none is configured).
 */
function checkAnswer(c: FuzzCase, target: string, res: RawResponse, authorized: boolean): void {
  counts.cases++;
  counts.byStatus.set(res.status, (counts.byStatus.get(res.status) ?? 0) + 1);
  counts.slowestMs = Math.max(counts.slowestMs, res.ms);
  const what = `${c.method} ${target.slice(0, 300)}${target.length > 300 ? '…' : ''} → ${res.status}`;
  const fail = (kind: string, detail: string) =>
    new FuzzFailure(`${c.method} → ${res.status}: ${kind}`, `${what}: ${kind}${detail}`);
  const body = res.body.toString('utf8');
  if (!((res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500)))
    throw fail('neither 2xx nor 4xx', `: ${body.slice(0, 500)}`);
  if (res.ms > REQUEST_BOUND_MS) throw fail('too slow', ` (${Math.round(res.ms)} ms)`);
  // Without the token only a CORS preflight may succeed.
  if (!authorized && res.status < 300 && !(c.method === 'OPTIONS' && res.status === 204))
    throw fail('a 2xx without the admin token', '');
  const json = /application\/json/.test(res.headers['content-type'] ?? '');
  if (c.method === 'HEAD') return;
  if (res.status >= 400) {
    if (!json)
      throw fail('error answer is not JSON', ` (${res.headers['content-type']}): ${body.slice(0, 300)}`);
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error !== 'string')
      throw fail('error body without an "error" string', `: ${body.slice(0, 300)}`);
  } else if (json) {
    try {
      JSON.parse(body);
    } catch {
      throw fail('2xx body is not the JSON it claims', `: ${body.slice(0, 300)}`);
    }
  }
}

/** A case with the headers it is sent with, and whether those carry the admin token. */
interface Probe {
  c: FuzzCase;
  headers: Record<string, string>;
  authorized: boolean;
}

const plain = (arb: fc.Arbitrary<FuzzCase>): fc.Arbitrary<Probe> =>
  arb.map((c) => ({ c, headers: {}, authorized: true }));

async function send(base: string, p: Probe): Promise<void> {
  const { c } = p;
  const target = targetOf(c, routes);
  const res = await rawRequest(
    base,
    {
      method: c.method,
      target,
      headers: p.headers,
      body: c.body === undefined ? undefined : Buffer.from(c.body, 'latin1'),
    },
    REQUEST_BOUND_MS + 5_000
  );
  checkAnswer(c, target, res, p.authorized);
}

/**
 * Runs a property: first every kept seed for it (exact replays), then fresh cases until the time
 * budget is spent. fast-check stops at a failure, so the search goes on from the next seed: one
 * known bug does not hide the others. Each kind of failure is reported once and its seed kept.
 * Failures are collected, not thrown; the test fails at the end if there were any.
 */
async function runProperty(
  name: string,
  base: string,
  arb: fc.Arbitrary<Probe>,
  budgetMs: number,
  failures: string[]
): Promise<number> {
  const property = fc.asyncProperty(arb, (p) => send(base, p));
  const messageOf = (d: fc.RunDetails<[Probe]>) =>
    d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
  const signatureOf = (d: fc.RunDetails<[Probe]>) =>
    d.errorInstance instanceof FuzzFailure ? d.errorInstance.signature : messageOf(d).slice(0, 200);
  const reported = new Set<string>();
  for (const kept of keptSeeds().filter((k) => k.property === name)) {
    counts.replayed++;
    const replay = await fc.check(property, { seed: kept.seed, path: kept.path, endOnFailure: true });
    if (replay.failed) {
      reported.add(signatureOf(replay));
      failures.push(
        `kept seed ${kept.seed} (path ${kept.path}) fails again: ${messageOf(replay)}\n${fc.defaultReportMessage(replay)}`
      );
    }
  }
  const until = Date.now() + budgetMs;
  let seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  let runs = 0;
  while (Date.now() < until) {
    const details = await fc.check(property, {
      seed,
      numRuns: 100_000,
      interruptAfterTimeLimit: Math.max(1, until - Date.now()),
      markInterruptAsFailure: false,
    });
    runs += details.numRuns;
    if (!details.failed) break;
    const signature = signatureOf(details);
    if (!reported.has(signature)) {
      reported.add(signature);
      keepSeed({
        property: name,
        signature,
        seed: details.seed,
        path: details.counterexamplePath ?? '',
        found: new Date().toISOString(),
        failure: messageOf(details).slice(0, 500),
      });
      failures.push(
        `failure (its seed is kept in fuzz-seeds.json): ${messageOf(details)}\n${fc.defaultReportMessage(details)}`
      );
    }
    seed = (seed + 1) % 2 ** 31;
  }
  return runs;
}

/**
 * The same cases against a sidecar with an admin token and CORS: hostile Authorization and Origin
 * headers on top. Without the token nothing but a CORS preflight succeeds.
 */
async function runGuarded(cases: fc.Arbitrary<FuzzCase>, failures: string[]): Promise<number> {
  const guarded = await startSidecar(testOllamaUrl(), ['--admin-token', TOKEN, '--cors-origins', ORIGIN]);
  try {
    const probes = fc
      .tuple(
        cases,
        fc.constantFrom(...AUTHORIZATIONS),
        fc.constantFrom(undefined, ORIGIN, 'null', 'http://evil.example', ORIGIN + '.evil.example')
      )
      .map(([c, [authorization, authorized], origin]): Probe => {
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        if (origin !== undefined) headers.origin = origin;
        return { c, headers, authorized };
      });
    return await runProperty('guarded', guarded.adminUrl, probes, BUDGET_MS.guarded, failures);
  } finally {
    await guarded.close();
  }
}

/** Streams /api/generate one after another until stopped; each must complete. */
function streamAlongside(model: string) {
  let stop = false;
  const results: { status: number; done: boolean; error?: string }[] = [];
  const loop = (async () => {
    while (!stop) {
      try {
        const res = await request(`${sidecar.url}/api/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': 'fuzz-stream' },
          body: JSON.stringify({
            model,
            prompt: 'Count from one to twenty.',
            stream: true,
            options: { num_predict: 48 },
          }),
          headersTimeout: 60_000,
          bodyTimeout: 60_000,
        });
        const lines = (await res.body.text()).trim().split('\n');
        const last = JSON.parse(lines[lines.length - 1]) as { done?: boolean };
        results.push({ status: res.statusCode, done: last.done === true });
      } catch (err) {
        results.push({ status: 0, done: false, error: (err as Error).message });
      }
    }
  })();
  return {
    results,
    async stop() {
      stop = true;
      await loop;
    },
  };
}

/** Stored traffic of every shape the routes read: chat and generate, streamed or not, errors, users. */
async function seedTraffic(model: string): Promise<number> {
  const bodies: [string, unknown, Record<string, string>][] = [
    [
      '/api/chat',
      {
        model,
        stream: true,
        options: { num_predict: 8 },
        messages: [{ role: 'user', content: 'Translate "good morning" into French.' }],
      },
      { 'x-user-id': 'alice', 'x-session-id': 's-1' },
    ],
    [
      '/api/generate',
      {
        model,
        stream: false,
        options: { num_predict: 8 },
        prompt: 'Write a Python function that adds two numbers.',
      },
      { 'x-user-id': 'bob' },
    ],
    [
      '/v1/chat/completions',
      {
        model,
        max_tokens: 8,
        messages: [{ role: 'user', content: 'Summarize: the fox\'s "quick" jump (NEAR the dog) * OR 1=1' }],
      },
      { 'x-user-id': '__proto__' },
    ],
    [
      '/api/chat',
      { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-user-id': 'carol' },
    ],
    ['/api/embed', { model, input: ['first text', 'second text'] }, {}],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [p, body, headers] of bodies) {
      const res = await request(sidecar.url + p, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      await res.body.text();
    }
  }
  return bodies.length * 3;
}

async function storedMessages(): Promise<number> {
  const res = await request(`${sidecar.adminUrl}/analytics/data/summary`);
  const body = (await res.body.json()) as { messages?: number };
  return body.messages ?? 0;
}

beforeAll(async () => {
  routes = await analyticsRoutes();
  const [model] = testOllamaModels();
  sidecar = await startSidecar(testOllamaUrl(), [
    '--batch-ms',
    '20',
    '--query-timeout-ms',
    String(QUERY_TIMEOUT_MS),
  ]);
  assertServedBy(sidecar.app.admin, routes);
  const n = await seedTraffic(model);
  const until = Date.now() + 20_000;
  while ((await storedMessages()) < n && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  expect(await storedMessages()).toBeGreaterThanOrEqual(n);
}, 120_000);

afterAll(async () => {
  await sidecar?.close();
});

test('hostile analytics requests: JSON 4xx or 2xx, in time, while a proxied stream completes; the store stays intact', async () => {
  const [model] = testOllamaModels();
  const streams = streamAlongside(model);
  const started = Date.now();
  let readRuns = 0;
  let destructiveRuns = 0;
  let guardedRuns = 0;
  const failures: string[] = [];
  try {
    // Reads first, on a full store; then the routes that delete (they empty it).
    const destructive = (r: RouteSpec) => r.method === 'DELETE';
    const idx = (keep: (r: RouteSpec) => boolean) => routes.flatMap((r, i) => (keep(r) ? [i] : []));
    const reads = fuzzCase(
      routes,
      idx((r) => !destructive(r)),
      ODD_METHODS
    );
    readRuns = await runProperty('read', sidecar.adminUrl, plain(reads), BUDGET_MS.read, failures);
    guardedRuns = await runGuarded(reads, failures);
    destructiveRuns = await runProperty(
      'destructive',
      sidecar.adminUrl,
      plain(fuzzCase(routes, idx(destructive), ['DELETE', 'GET', 'PROPFIND'])),
      BUDGET_MS.destructive,
      failures
    );
  } finally {
    await streams.stop();
    const statuses = [...counts.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`);
    console.log(
      `analytics fuzz: ${counts.cases} requests (${readRuns} read cases, ${guardedRuns} with token and CORS, ` +
        `${destructiveRuns} destructive cases, ` +
        `${counts.replayed} kept seeds replayed) over ${routes.length} routes in ${Math.round((Date.now() - started) / 1000)} s; ` +
        `answers ${statuses.join(' ')}; slowest ${Math.round(counts.slowestMs)} ms; ` +
        `${streams.results.length} proxied streams alongside`
    );
  }

  // No prototype was polluted by a `__proto__` or `constructor` key (the sidecar runs in this process).
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
  // The proxied streams all completed.
  expect(streams.results.length).toBeGreaterThan(0);
  expect(streams.results.filter((r) => r.status !== 200 || !r.done)).toEqual([]);
  // The process still proxies and still answers its own routes.
  const tags = await request(`${sidecar.url}/api/tags`, { headersTimeout: 10_000 });
  expect(tags.statusCode).toBe(200);
  await tags.body.text();
  const health = await request(`${sidecar.adminUrl}/healthz`);
  expect(health.statusCode).toBe(200);
  await health.body.text();

  // The store is intact once the sidecar has closed.
  await sidecar.close();
  const dbPath = sidecar.app.services.config.dbPath;
  const ro = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    expect(ro.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    ro.close();
  }
  // FTS5's own check writes, so it runs on a copy.
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-fuzz-')), 'copy.db');
  fs.copyFileSync(dbPath, copy);
  const rw = new Database(copy);
  try {
    expect(() => rw.exec("INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')")).not.toThrow();
  } finally {
    rw.close();
  }
  // Last, so a failing case never hides the checks above.
  expect(failures).toEqual([]);
}, 240_000);
