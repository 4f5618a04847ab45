/**
 * A real Prometheus (Debian's `prometheus` package) for tests: its own temp directory, a free port, a
 * config that scrapes the given target every second as job `ollama-lens` with optional rule files (or a
 * whole config of the test's own, e.g. the shipped prometheus.yml), and exemplar storage on. Helpers
 * query its HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from './ollama';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  url: string;
  /** Instant query; throws with Prometheus' error message when the query fails. */
  query(expr: string, time?: number): Promise<PromSample[]>;
  /** GET an API path (`/api/v1/...`) and return its `data`. */
  api<T>(path: string, params?: Record<string, string>): Promise<T>;
  logs(): string;
  stop(): Promise<void>;
}

export type StartPrometheusOptions =
  | {
      /** host:port of the scrape target (the sidecar's admin listener). */
      target: string;
      /** Rule files as YAML text, by file name. */
      rules?: Record<string, string>;
      scrapeIntervalSeconds?: number;
    }
  | {
      /** A whole prometheus.yml, given the port Prometheus will listen on (for a job that scrapes itself). */
      config: (port: number) => string;
      /** Files written beside the config, by name (relative paths in a config resolve against its folder). */
      files?: Record<string, string>;
    };

/** The kit's config: the target scraped as job `ollama-lens`, rule files written into `dir`. */
function targetConfig(
  dir: string,
  opts: { target: string; rules?: Record<string, string>; scrapeIntervalSeconds?: number }
): string {
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  const ruleFiles = Object.entries(opts.rules ?? {}).map(([name, text]) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  });
  return [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ...(ruleFiles.length ? ['rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
    'scrape_configs:',
    '  - job_name: ollama-lens',
    `    scrape_interval: ${interval}`,
    `    scrape_timeout: ${interval}`,
    '    static_configs:',
    `      - targets: [${JSON.stringify(opts.target)}]`,
    '',
  ].join('\n');
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  if ('config' in opts) {
    for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'prometheus.yml'), opts.config(port));
  } else {
    writeFileSync(join(dir, 'prometheus.yml'), targetConfig(dir, opts));
  }

  let log = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  const append = (b: Buffer) => {
    log = (log + b.toString()).slice(-200_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // A loaded machine (two cores, Ollama running) can take Prometheus a while to open its TSDB.
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await request(`${url}/-/ready`);
      await res.body.text();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      await stop();
      throw new Error(`prometheus did not become ready within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await request(`${url}${path}?${new URLSearchParams(params)}`);
    const body = (await res.body.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success')
      throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  }

  return {
    url,
    api,
    async query(expr, time) {
      const data = await api<{ resultType: string; result: PromSample[] }>('/api/v1/query', {
        query: expr,
        ...(time !== undefined ? { time: String(time) } : {}),
      });
      if (data.resultType !== 'vector') throw new Error(`${expr}: expected a vector, got ${data.resultType}`);
      return data.result;
    },
    logs: () => log,
    stop,
  };
}
