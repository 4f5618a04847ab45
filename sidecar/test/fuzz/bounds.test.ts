/**
 * Regression tests for parameters that once broke the sidecar, through the real sidecar in front of
 * the real Ollama: `to=99999999999999999999999` aborted the whole process (the bucket loop grew an
 * array until V8 gave up) and `limit=Infinity` answered 500. Each is now a JSON 400 or a sane 2xx,
 * and the process still proxies afterwards.
 */
import { request } from 'undici';
import { BOUNDS } from '@ollama-lens/contracts';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { analyticsRoutes, type PropSchema } from './routes';

let sidecar: TestSidecar;

beforeAll(async () => {
  sidecar = await startSidecar(testOllamaUrl(), ['--batch-ms', '20']);
  // Something stored, so the queries have rows to read.
  const [model] = testOllamaModels();
  const res = await request(`${sidecar.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, prompt: 'hello', stream: false, options: { num_predict: 4 } }),
  });
  expect(res.statusCode).toBe(200);
  await res.body.text();
});
afterAll(() => sidecar.close());

async function get(path: string): Promise<{ status: number; json: { error?: string }; ms: number }> {
  const started = Date.now();
  const res = await request(sidecar.adminUrl + path, { headersTimeout: 20_000, bodyTimeout: 20_000 });
  const text = await res.body.text();
  expect({ path, type: res.headers['content-type'] }).toEqual({
    path,
    type: expect.stringMatching(/application\/json/),
  });
  return { status: res.statusCode, json: JSON.parse(text) as { error?: string }, ms: Date.now() - started };
}

async function expect400(path: string, mentions: RegExp): Promise<void> {
  const { status, json } = await get(path);
  expect({ path, status, error: json.error }).toEqual({
    path,
    status: 400,
    error: expect.stringMatching(mentions),
  });
}

async function stillProxies(): Promise<void> {
  const [model] = testOllamaModels();
  const res = await request(`${sidecar.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, prompt: 'hi', stream: true, options: { num_predict: 8 } }),
  });
  const lines = (await res.body.text()).trim().split('\n');
  expect(res.statusCode).toBe(200);
  expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ done: true });
}

const HUGE = '99999999999999999999999';

test('to=1e23 on aggregations and stats/history is a JSON 400, and the process still proxies', async () => {
  await expect400(`/analytics/aggregations?to=${HUGE}`, /to must be <= 4102444800000/);
  await expect400(`/analytics/stats/history?to=${HUGE}`, /to must be <= 4102444800000/);
  await expect400(`/analytics/aggregations?from=${HUGE}`, /from/);
  await expect400(`/analytics/messages?to=${BOUNDS.epochMsMax + 1}`, /to/);
  await stillProxies();
});

test('limit=Infinity (a 500 once) and every other non-finite or non-decimal number is a JSON 400', async () => {
  await expect400('/analytics/messages?limit=Infinity', /limit must be a finite decimal number/);
  for (const [route, param] of [
    ['messages', 'limit'],
    ['search', 'limit'],
    ['aggregations', 'interval'],
    ['stats/history', 'interval'],
    ['messages', 'min_latency_ms'],
    ['messages', 'max_input_tokens'],
    ['aggregations', 'from'],
  ]) {
    for (const bad of ['Infinity', '-Infinity', '1e400', '0x10', '0b1', 'NaN', '%201'])
      await expect400(`/analytics/${route}?${param}=${bad}`, new RegExp(param));
  }
  await expect400('/analytics/aggregations?interval=-0', /interval/);
  await expect400(`/analytics/aggregations?interval=${BOUNDS.intervalSMax + 1}`, /interval/);
  await expect400(`/analytics/messages?min_input_tokens=${BOUNDS.tokensMax + 1}`, /min_input_tokens/);
  await stillProxies();
});

test('a Grafana range ending in the future works; one ending at the far bound costs no more than now', async () => {
  const now = Date.now();
  for (const route of ['aggregations', 'stats/history', 'messages', 'stats/current', 'models']) {
    const inAnHour = await get(`/analytics/${route}?from=${now - 6 * 3_600_000}&to=${now + 3_600_000}`);
    expect({ route, status: inAnHour.status }).toEqual({ route, status: 200 });
    // to at the schema's bound is clamped to now + 1 day: a normal query, answered quickly.
    const far = await get(`/analytics/${route}?from=${now - 3_600_000}&to=${BOUNDS.epochMsMax}`);
    expect({ route, status: far.status }).toEqual({ route, status: 200 });
    expect(far.ms).toBeLessThan(5_000);
  }
});

test('the widest range with the finest interval answers in bounded time (2xx, or a JSON 400)', async () => {
  for (const route of ['aggregations', 'stats/history']) {
    const { status, ms } = await get(`/analytics/${route}?from=0&to=${BOUNDS.epochMsMax}&interval=1`);
    expect({ route, status: status === 200 || status === 400 }).toEqual({ route, status: true });
    expect(ms).toBeLessThan(10_000);
  }
  await stillProxies();
});

test('every parameter of every analytics route states its bound in the schema', async () => {
  const unbounded: string[] = [];
  const check = (where: string, p: PropSchema) => {
    const type = [p.type].flat()[0];
    if ((type === 'integer' || type === 'number') && !Number.isFinite(p.maximum))
      unbounded.push(`${where}: no maximum`);
    if (type === 'string' && !p.enum && p.maxLength === undefined) unbounded.push(`${where}: no maxLength`);
    if (type === 'array') {
      if (p.maxItems === undefined) unbounded.push(`${where}: no maxItems`);
      if (p.items) check(`${where}[]`, p.items);
    }
  };
  const routes = await analyticsRoutes();
  for (const r of routes)
    for (const part of ['querystring', 'params'] as const)
      for (const [name, p] of Object.entries(r[part].properties ?? {}))
        check(`${r.method} ${r.url} ${name}`, p);
  expect(routes.length).toBeGreaterThan(20);
  expect(unbounded).toEqual([]);
});
