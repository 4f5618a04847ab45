/**
 * Proxy overhead benchmark: the same requests direct, through nginx (the reference proxy: on 2 cores it
 * is the practical limit), and through the sidecar with instrumentation off and on, interleaved in one
 * run. Against an instant upstream (so inference does not hide the overhead) and against the real
 * Ollama. Prints added latency p50/p99 at c=1 and c=10, stream time-to-first-byte, throughput ratios.
 *
 *   npm run bench:proxy            (BENCH_SECONDS=5 BENCH_ROUNDS=2 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { busyDayStore } from './busy-day';
import {
  fmt,
  freePort,
  percentile,
  start,
  stop,
  table,
  waitForHttp,
  wrk,
  wrkPostScript,
  type WrkResult,
} from './lib';
import { startOllama } from '@ollama-lens/testkit/ollama';
import { buildInstantUpstream } from './instant-upstream-bin';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const ROOT = join(__dirname, '..');

type Target =
  | 'direct'
  | 'nginx'
  | 'sidecar (instrumentation off)'
  | 'sidecar (instrumentation on)'
  | 'sidecar (on, Explorer refreshing)';
const EXPLORER: Target = 'sidecar (on, Explorer refreshing)';
/** How often the Explorer user refreshes the 24 h view (the page's auto-refresh). */
const EXPLORER_REFRESH_MS = Number(process.env.BENCH_EXPLORER_REFRESH_MS ?? 2000);

function nginxConfig(dir: string, listen: number, upstreamPort: number): string {
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream ollama { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://ollama;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`
  );
  return file;
}

async function startSidecar(
  upstream: string,
  instrumented: boolean,
  dbDir: string,
  db?: string
): Promise<{ url: string; child: ReturnType<typeof start> }> {
  const port = await freePort();
  const args = [
    join(ROOT, 'sidecar/dist/main.js'),
    '--port',
    String(port),
    '--upstream',
    upstream,
    '--log-level',
    'warn',
  ];
  if (instrumented) args.push('--db', db ?? join(dbDir, `bench-${port}.db`), '--poll-interval-ms', '10000');
  else args.push('--store', 'false', '--metrics', 'false');
  const child = start(process.execPath, args);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`);
  return { url, child };
}

/** Sequential streamed requests; time to the first body byte, ms. */
async function streamTtfb(base: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await request(`${base}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":"tiny","prompt":"hi"}',
    });
    let first = 0;
    for await (const _chunk of res.body) {
      if (!first) first = performance.now() - t0;
    }
    times.push(first);
  }
  times.sort((a, b) => a - b);
  return percentile(times, 50);
}

/**
 * A person on the Explorer page: every EXPLORER_REFRESH_MS it reloads the default 24 h view, as the
 * page does (aggregations, the table's first page, the variables), all at once. Collects each
 * round's time.
 */
function explorerUser(base: string): { stop(): Promise<number[]> } {
  const rounds: number[] = [];
  let running = true;
  const paths = [
    '/analytics/aggregations',
    '/analytics/messages?limit=25',
    '/analytics/models',
    '/analytics/users',
    '/analytics/categories',
  ];
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await Promise.all(
        paths.map(async (p) => {
          const res = await request(base + p);
          await res.body.dump();
          if (res.statusCode !== 200) throw new Error(`${p}: HTTP ${res.statusCode}`);
        })
      );
      const ms = performance.now() - t0;
      rounds.push(ms);
      await new Promise((r) => setTimeout(r, Math.max(0, EXPLORER_REFRESH_MS - ms)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return rounds;
    },
  };
}

async function instantSection(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-bench-'));
  const day = busyDayStore({ messages: Number(process.env.BENCH_EXPLORER_MESSAGES ?? 1_000_000) });
  console.log(
    `\nExplorer store: ${day.messages.toLocaleString('en-US')} messages in the last 24 h (${day.note})`
  );
  const upstreamPort = await freePort();
  const upstream = start(buildInstantUpstream(), ['-addr', `127.0.0.1:${upstreamPort}`]);
  const direct = `http://127.0.0.1:${upstreamPort}`;
  await waitForHttp(`${direct}/api/tags`);
  const nginxPort = await freePort();
  const nginx = start('nginx', ['-c', nginxConfig(dir, nginxPort, upstreamPort), '-p', dir]);
  const nginxUrl = `http://127.0.0.1:${nginxPort}`;
  await waitForHttp(`${nginxUrl}/api/tags`);
  const off = await startSidecar(direct, false, dir);
  const on = await startSidecar(direct, true, dir);
  const explored = await startSidecar(direct, true, dir, day.file);
  const targets: Record<Target, string> = {
    direct,
    nginx: nginxUrl,
    'sidecar (instrumentation off)': off.url,
    'sidecar (instrumentation on)': on.url,
    'sidecar (on, Explorer refreshing)': explored.url,
  };
  const explorerRounds: number[] = [];
  const scenarios = [
    {
      name: 'generate stream:false',
      script: wrkPostScript(
        '/api/generate',
        '{"model":"tiny","prompt":"Why is the sky blue?","stream":false}'
      ),
    },
    {
      name: 'generate streamed (5 NDJSON lines)',
      script: wrkPostScript('/api/generate', '{"model":"tiny","prompt":"Why is the sky blue?"}'),
    },
  ];
  try {
    // Warm every path (JIT, connection pools).
    for (const url of Object.values(targets))
      await wrk(url, { connections: 4, seconds: 1, luaScript: scenarios[0].script });
    const rows: (string | number)[][] = [];
    const verdicts: (string | number)[][] = [];
    const check = (what: string, value: number, target: string, met: boolean) =>
      verdicts.push([what, Number.isFinite(value) ? value : '—', target, met ? 'met' : 'MISSED']);
    for (const sc of scenarios) {
      for (const c of [1, 10]) {
        const best = new Map<Target, WrkResult>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const [name, url] of Object.entries(targets) as [Target, string][]) {
            const user = name === EXPLORER ? explorerUser(url) : undefined;
            const r = await wrk(url, { connections: c, seconds: SECONDS, luaScript: sc.script });
            if (user) explorerRounds.push(...(await user.stop()));
            const prev = best.get(name);
            // Best of the rounds: the machine is shared and noisy, so the least-disturbed run is the fairest.
            best.set(
              name,
              prev
                ? {
                    rps: Math.max(prev.rps, r.rps),
                    p50: Math.min(prev.p50, r.p50),
                    p99: Math.min(prev.p99, r.p99),
                  }
                : r
            );
          }
        }
        const d = best.get('direct')!;
        const n = best.get('nginx')!;
        const on = best.get('sidecar (instrumentation on)')!;
        const ex = best.get(EXPLORER)!;
        const label = `${sc.name}, c=${c}`;
        if (c === 1) {
          check(
            `${label}: added p50, instrumentation on (ms)`,
            on.p50 - d.p50,
            '≤ 0.2',
            on.p50 - d.p50 <= 0.2
          );
          check(`${label}: added p99, instrumentation on (ms)`, on.p99 - d.p99, '≤ 1', on.p99 - d.p99 <= 1);
        }
        check(`${label}: throughput on ÷ nginx`, on.rps / n.rps, '≥ 0.6', on.rps / n.rps >= 0.6);
        check(
          `${label}: throughput while the Explorer is used ÷ on`,
          ex.rps / on.rps,
          '≥ 0.9',
          ex.rps / on.rps >= 0.9
        );
        check(
          `${label}: p99 while the Explorer is used ÷ on`,
          ex.p99 / on.p99,
          '≤ 1.1',
          ex.p99 / on.p99 <= 1.1
        );
        for (const [name, r] of best) {
          rows.push([
            `${sc.name}, c=${c}`,
            name,
            r.p50,
            r.p99,
            name === 'direct' ? '—' : (r.p50 - d.p50).toFixed(3),
            name === 'direct' ? '—' : (r.p99 - d.p99).toFixed(3),
            Math.round(r.rps),
            (r.rps / d.rps).toFixed(2),
            (r.rps / n.rps).toFixed(2),
          ]);
        }
      }
    }
    console.log(`\n## Instant upstream (wrk, ${SECONDS}s per run, best of ${ROUNDS} interleaved rounds)\n`);
    console.log(
      table(
        [
          'scenario',
          'target',
          'p50 ms',
          'p99 ms',
          'added p50 ms',
          'added p99 ms',
          'req/s',
          '÷ direct',
          '÷ nginx',
        ],
        rows
      )
    );
    console.log('\n## Against the targets (issue "Forwarding never waits")\n');
    console.log(table(['measure', 'value', 'target', ''], verdicts));
    explorerRounds.sort((a, b) => a - b);
    console.log(
      `\nThe Explorer user meanwhile: ${explorerRounds.length} refreshes of the 24 h view (5 requests at once each), ` +
        `p50 ${fmt(percentile(explorerRounds, 50))} ms, p95 ${fmt(percentile(explorerRounds, 95))} ms, max ${fmt(explorerRounds[explorerRounds.length - 1] ?? 0)} ms.`
    );

    const ttfb: (string | number)[][] = [];
    const base: Record<string, number> = {};
    for (const [name, url] of Object.entries(targets)) {
      await streamTtfb(url, 50);
      base[name] = await streamTtfb(url, 500);
    }
    for (const [name, v] of Object.entries(base))
      ttfb.push([name, v, name === 'direct' ? '—' : (v - base.direct).toFixed(3)]);
    console.log('\n## Streamed generate: time to first byte (500 sequential requests, p50)\n');
    console.log(table(['target', 'TTFB p50 ms', 'added ms'], ttfb));
  } finally {
    stop(explored.child);
    stop(on.child);
    stop(off.child);
    stop(nginx);
    stop(upstream);
  }
}

async function ollamaSection(): Promise<void> {
  // One inference thread: on 2 cores shared with wrk and the proxy, ggml's thread barrier makes
  // multi-threaded decoding of a tiny model erratic (10 ms to 1 s for the same request).
  const ollama = await startOllama();
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-bench-'));
  const on = await startSidecar(ollama.url, true, dir);
  const body = JSON.stringify({
    model: ollama.models[0],
    prompt: 'Tell me a story',
    stream: false,
    options: { num_predict: 64, seed: 1, num_thread: 1 },
  });
  const script = wrkPostScript('/api/generate', body);
  try {
    await wrk(ollama.url, { connections: 1, seconds: 2, luaScript: script });
    const rows: (string | number)[][] = [];
    for (const c of [1, 4]) {
      const best: Record<string, WrkResult> = {};
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, url] of [
          ['direct', ollama.url],
          ['sidecar (instrumentation on)', on.url],
        ] as const) {
          const r = await wrk(url, { connections: c, seconds: SECONDS, luaScript: script });
          const prev = best[name];
          best[name] = prev
            ? {
                rps: Math.max(prev.rps, r.rps),
                p50: Math.min(prev.p50, r.p50),
                p99: Math.min(prev.p99, r.p99),
              }
            : r;
        }
      }
      const d = best.direct;
      for (const [name, r] of Object.entries(best)) {
        rows.push([
          `generate num_predict=64, c=${c}`,
          name,
          r.p50,
          r.p99,
          name === 'direct' ? '—' : (r.p50 - d.p50).toFixed(3),
          Math.round(r.rps * 10) / 10,
          (r.rps / d.rps).toFixed(3),
        ]);
      }
    }
    console.log(`\n## Real Ollama (tiny random-weight model, CPU; wrk ${SECONDS}s, best of ${ROUNDS})\n`);
    console.log(table(['scenario', 'target', 'p50 ms', 'p99 ms', 'added p50 ms', 'req/s', '÷ direct'], rows));
  } finally {
    stop(on.child);
    await ollama.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'sidecar/dist/main.js')))
    execFileSync('npm', ['run', 'build', '-w', 'sidecar'], { cwd: ROOT, stdio: 'inherit' });
  console.log('# Ollama Lens proxy benchmark');
  console.log(
    'Targets: added p50 ≤ 0.2 ms and p99 ≤ 1 ms at c=1 with instrumentation on; ≥ 60 % of nginx throughput at c=1 and c=10; ' +
      'the sidecar while an Explorer user refreshes the 24 h view over 1M messages within 10 % of the plain "on" row; ≥ 95 % of direct against the real Ollama.'
  );
  // BENCH_ONLY=instant|ollama runs one section.
  if (process.env.BENCH_ONLY !== 'ollama') await instantSection();
  if (process.env.BENCH_ONLY !== 'instant') await ollamaSection();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
