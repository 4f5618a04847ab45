import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { smallDisk } from '@ollama-lens/testkit/small-disk';
import { analyticsApp, type AnalyticsApp } from '../../test/store/analytics-app';
import { RecordFactory } from '@ollama-lens/testkit/records';

describe('bearer token (config.adminToken)', () => {
  let api: AnalyticsApp;
  beforeAll(async () => {
    api = await analyticsApp(['--admin-token', 's3cret-token']);
  });
  afterAll(() => api.close());

  test.each([
    ['no header', {}, /missing bearer token/],
    ['wrong token', { authorization: 'Bearer nope' }, /invalid bearer token/],
    ['token as basic auth', { authorization: 'Basic czNjcmV0LXRva2Vu' }, /missing bearer token/],
    ['a prefix of the token', { authorization: 'Bearer s3cret' }, /invalid bearer token/],
  ])('401 with %s', async (_name, headers, pattern) => {
    for (const p of [
      '/analytics/messages',
      '/analytics/export?format=csv',
      '/analytics/nope',
      '/analytics/data/summary',
    ]) {
      const res = await api.call('GET', p, headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ollama-lens"');
      expect(res.json()).toEqual({ error: expect.stringMatching(pattern) });
    }
    expect((await api.call('DELETE', '/analytics/data/all', headers)).statusCode).toBe(401);
  });

  test('the right token opens every route (scheme case-insensitive)', async () => {
    expect(
      (await api.call('GET', '/analytics/messages', { authorization: 'Bearer s3cret-token' })).statusCode
    ).toBe(200);
    expect(
      (await api.call('GET', '/analytics/models', { authorization: 'bearer s3cret-token' })).statusCode
    ).toBe(200);
  });
});

describe('CORS', () => {
  test('off by default: no CORS headers, no preflight route', async () => {
    const api = await analyticsApp();
    try {
      const res = await api.call('GET', '/analytics/models', { origin: 'http://grafana.example' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(
        (
          await api.call('OPTIONS', '/analytics/models', {
            origin: 'http://grafana.example',
            'access-control-request-method': 'GET',
          })
        ).statusCode
      ).toBe(404);
    } finally {
      await api.close();
    }
  });

  test('listed origins only; the preflight needs no token, the request does', async () => {
    const api = await analyticsApp([
      '--cors-origins',
      'http://grafana.example,http://localhost:3000',
      '--admin-token',
      'tok',
    ]);
    try {
      const pre = await api.call('OPTIONS', '/analytics/messages', {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
      expect(pre.headers['access-control-allow-methods']).toBe('GET, POST, PUT, DELETE, OPTIONS');
      // The Models page's actions and the Playground from a browser: their token header, and the stored id.
      expect(pre.headers['access-control-allow-headers']).toMatch(/x-ollama-lens-actions-token/);

      const ok = await api.call('GET', '/analytics/models', {
        origin: 'http://grafana.example',
        authorization: 'Bearer tok',
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('http://grafana.example');
      expect(ok.headers.vary).toMatch(/Origin/);
      expect(ok.headers['access-control-expose-headers']).toMatch(/x-ollama-lens-id/);
      const denied = await api.call('GET', '/analytics/models', { origin: 'http://evil.example' });
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      const evilPre = await api.call('OPTIONS', '/analytics/models', {
        origin: 'http://evil.example',
        'access-control-request-method': 'GET',
      });
      expect(evilPre.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await api.close();
    }
  });
});

describe('store unavailable', () => {
  test('--store=false: analytics answers 503, no store threads run, readiness has no store check', async () => {
    const api = await analyticsApp(['--store', 'false']);
    try {
      const res = await api.call('GET', '/analytics/messages');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: 'the message store is disabled (--store=false)' });
      expect(api.store).toBeNull();
      expect(api.services.readiness.find((c) => c.name === 'store')).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  test('a database that cannot be opened: 503 with the reason, store degraded, records dropped as store errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-lens-bad-'));
    // A directory where the database file should be.
    fs.mkdirSync(path.join(dir, 'db'));
    const api = await analyticsApp(['--db', path.join(dir, 'db')]);
    try {
      const res = await api.call('GET', '/analytics/aggregations');
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatch(/^the message store is unavailable: /);
      const check = await api.services.readiness.find((c) => c.name === 'store')!.check();
      expect(check.ok).toBe(false);
      await api.ingest([new RecordFactory().next()]);
      expect(api.store!.stats).toMatchObject({
        written: 0,
        dropped: { queue_full: 0, store_error: 1 },
        queueDepth: 0,
      });
    } finally {
      await api.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('readiness follows the writer: a failed write marks the store degraded until a write succeeds', async () => {
    const disk = smallDisk(16);
    const api = await analyticsApp(['--db', path.join(disk.dir, 'lens.db')]);
    try {
      const check = () => api.services.readiness.find((c) => c.name === 'store')!.check();
      expect((await check()).ok).toBe(true);
      disk.fill();
      // Long prompts: they need pages the full disk cannot give.
      const f = new RecordFactory({ seed: 2 });
      const long = 'the quick brown fox '.repeat(20_000);
      await api.ingest(Array.from({ length: 10 }, () => f.next({ prompt: { prompt: long } })));
      const bad = await check();
      expect(bad.ok).toBe(false);
      expect(JSON.stringify(bad.detail)).toMatch(/full/);
      expect(api.store!.stats.dropped.store_error).toBeGreaterThanOrEqual(1);
      disk.free();
      await api.ingest([f.next()]);
      expect((await check()).ok).toBe(true);
    } finally {
      await api.close();
      disk.unmount();
    }
  });
});
