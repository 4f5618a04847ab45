/**
 * Probes that answer one question each, on a real sidecar in front of the real Ollama:
 * /healthz = the process is alive; /readyz = it can forward (listener up, Ollama reachable), with
 * non-critical checks (the store) reported as "degraded" but never failing it. Neither shows paths or
 * URLs to a caller without the admin token; beyond loopback /metrics needs the token too.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { parse, stringify } from 'yaml';
import { testOllamaUrl } from '@ollama-lens/testkit/env';
import { freePort } from '@ollama-lens/testkit/ollama';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';

interface Ready {
  status: string;
  checks: Record<string, { ok: boolean; critical?: boolean; detail?: unknown }>;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: () => JSON.parse(text) as Ready };
}

/** Nothing that names where the sidecar's upstream or files are. */
function expectNoPathsOrUrls(text: string, lens: TestSidecar) {
  const upstream = lens.app.services.config.upstream;
  expect(text).not.toContain(upstream.host);
  expect(text).not.toContain(lens.app.services.config.dbPath);
  expect(text).not.toMatch(/https?:|127\.0\.0\.1|\/tmp\//);
}

describe('on loopback without a token', () => {
  let lens: TestSidecar;
  beforeAll(async () => {
    lens = await startSidecar(testOllamaUrl());
  });
  afterAll(() => lens.close());

  it('/healthz: alive', async () => {
    const r = await get(`${lens.adminUrl}/healthz`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ status: 'ok' });
  });

  it('/readyz: ready, listener and upstream checked, no details for anyone', async () => {
    const r = await get(`${lens.adminUrl}/readyz`);
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.status).toBe('ready');
    expect(body.checks.listener).toEqual({ ok: true });
    expect(body.checks.upstream).toEqual({ ok: true });
    expectNoPathsOrUrls(r.text, lens);
    // A bearer header changes nothing when no token is configured.
    expectNoPathsOrUrls(
      (await get(`${lens.adminUrl}/readyz`, { authorization: 'Bearer anything' })).text,
      lens
    );
  });

  it('a failing non-critical check makes it "degraded", still 200; a failing critical one, 503', async () => {
    // The contract the store's check uses (critical: false), shown with checks registered on the real services.
    let storeOk = false;
    lens.app.services.readiness.push({
      name: 'store-like',
      critical: false,
      check: async () => ({ ok: storeOk, detail: { path: '/tmp/x.db' } }),
    });
    try {
      let r = await get(`${lens.adminUrl}/readyz`);
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({
        status: 'degraded',
        checks: { 'store-like': { ok: false, critical: false } },
      });
      expectNoPathsOrUrls(r.text, lens);
      storeOk = true;
      r = await get(`${lens.adminUrl}/readyz`);
      expect(r.json().status).toBe('ready');
      lens.app.services.readiness.push({
        name: 'essential',
        check: async () => {
          throw new Error('broken at /tmp/secret');
        },
      });
      r = await get(`${lens.adminUrl}/readyz`);
      expect(r.status).toBe(503);
      expect(r.json()).toMatchObject({ status: 'not_ready', checks: { essential: { ok: false } } });
      expectNoPathsOrUrls(r.text, lens);
    } finally {
      lens.app.services.readiness.splice(
        lens.app.services.readiness.findIndex((c) => c.name === 'store-like')
      );
    }
  });
});

it('/readyz: 503 when Ollama cannot be reached, /healthz still 200', async () => {
  const lens = await startSidecar(`http://127.0.0.1:${await freePort()}`, ['--store', 'false']);
  try {
    const r = await get(`${lens.adminUrl}/readyz`);
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({
      status: 'not_ready',
      checks: { upstream: { ok: false }, listener: { ok: true } },
    });
    expectNoPathsOrUrls(r.text, lens);
    expect((await get(`${lens.adminUrl}/healthz`)).status).toBe(200);
  } finally {
    await lens.close();
  }
});

it('/readyz: not ready once a shutdown stops the listener (separate admin port)', async () => {
  const adminPort = await freePort();
  const lens = await startSidecar(testOllamaUrl(), ['--store', 'false', '--admin-port', String(adminPort)]);
  // Closing the proxy alone, as close() does first: the admin port still answers while the proxy drains.
  await lens.app.proxy.close();
  try {
    const r = await get(`${lens.adminUrl}/readyz`);
    expect(r.status).toBe(503);
    expect(r.json().checks.listener).toEqual({ ok: false });
  } finally {
    await lens.close();
  }
});

describe('with a token, listening beyond loopback', () => {
  const token = 'probe-test-token-0123456789';
  let lens: TestSidecar;
  let base: string;
  beforeAll(async () => {
    // Listens on every interface (the case the token exists for); the test only ever connects to loopback.
    lens = await startSidecar(testOllamaUrl(), [
      '--host',
      '0.0.0.0',
      '--admin-token',
      token,
      '--store',
      'false',
    ]);
    base = `http://127.0.0.1:${(lens.app.proxy.server.address() as AddressInfo).port}`;
  });
  afterAll(() => lens.close());

  it('/healthz and /readyz answer without the token, without details', async () => {
    expect((await get(`${base}/healthz`)).status).toBe(200);
    const r = await get(`${base}/readyz`);
    expect(r.status).toBe(200);
    expectNoPathsOrUrls(r.text, lens);
    expectNoPathsOrUrls((await get(`${base}/readyz`, { authorization: 'Bearer wrong' })).text, lens);
  });

  it('/readyz shows details to a caller with the token', async () => {
    const r = await get(`${base}/readyz`, { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    expect(r.json().checks.upstream.detail).toMatchObject({ url: lens.app.services.config.upstream.href });
  });

  it('/metrics needs the token (as Prometheus sends it)', async () => {
    const anonymous = await get(`${base}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('ollama_');
    expect((await get(`${base}/metrics`, { authorization: 'Bearer wrong' })).status).toBe(401);
    const scraped = await get(`${base}/metrics`, { authorization: `Bearer ${token}` });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('ollama_requests_total');
  });

  it("a real Prometheus with the shipped scrape job's authorization gets in", async () => {
    interface Job {
      job_name: string;
      authorization?: { type?: string; credentials_file?: string };
      static_configs: { targets: string[] }[];
    }
    const shipped = parse(readFileSync(resolve(__dirname, '../../../prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Job[];
    };
    const job = shipped.scrape_configs.find((j) => j.job_name === 'ollama-lens')!;
    expect(job.authorization?.credentials_file).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-probe-prom-'));
    mkdirSync(join(dir, 'data'));
    // The token file as the compose stack writes it: the token alone, no newline.
    writeFileSync(join(dir, 'admin-token'), token, { mode: 0o600 });
    const promPort = await freePort();
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s' },
      scrape_configs: [
        {
          ...job,
          authorization: { ...job.authorization, credentials_file: join(dir, 'admin-token') },
          static_configs: [{ targets: [new URL(base).host] }],
        },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const prom = spawn(
      process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' }
    );
    try {
      let health: { health: string; lastError: string } | undefined;
      const until = Date.now() + 30_000;
      while (health?.health !== 'up' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        try {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`);
          const body = (await res.json()) as {
            data: { activeTargets: { health: string; lastError: string }[] };
          };
          health = body.data.activeTargets[0];
        } catch {
          // not listening yet
        }
      }
      expect(health).toMatchObject({ health: 'up', lastError: '' });
    } finally {
      const exited = new Promise((r) => prom.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

it('on loopback, /metrics stays open even with a token configured (a local scraper needs none)', async () => {
  const lens = await startSidecar(testOllamaUrl(), ['--admin-token', 'loopback-token', '--store', 'false']);
  try {
    const r = await get(`${lens.adminUrl}/metrics`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('ollama_requests_total');
  } finally {
    await lens.close();
  }
});
