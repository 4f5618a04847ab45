import {
  dateTime,
  FieldType,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type ScopedVars,
} from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { BOUNDS, LIST_FILTER_KEYS, RANGE_FILTER_KEYS, RANGE_FILTERS, TEXT_FILTER_KEYS } from '@ollama-lens/contracts';
import { FilterError, filtersToParams, parseBound } from '../api/filters';
import { DEFAULT_MESSAGES_DATASOURCE_UID } from '../constants';
import { startTestGrafana, type TestGrafana } from '../testing/testGrafana';
import { bucketSeconds, MessagesDataSource, parseVariableQuery } from './datasource';
import { DATASOURCE_TYPE, QUERY_FILTER_FIELDS, type MessagesDataSourceOptions, type MessagesQuery } from './types';

/**
 * Variables as a dashboard would hold them. Grafana's TemplateSrv lives in Grafana's core (not in any
 * package), so this reproduces the one behaviour the data source uses: `$name` / `${name}` replaced,
 * multi-values joined for the 'csv' format.
 */
class DashboardVariables implements TemplateSrv {
  constructor(private readonly values: Record<string, string | string[]>) {}
  getVariables() {
    return [];
  }
  replace(target?: string, _scopedVars?: ScopedVars, format?: string | Function): string {
    return (target ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (match, a: string | undefined, b: string | undefined) => {
      const value = this.values[(a ?? b) as string];
      if (value === undefined) {
        return match;
      }
      return Array.isArray(value) ? value.join(format === 'csv' ? ',' : ' ') : value;
    });
  }
  containsTemplate(target?: string) {
    return /\$/.test(target ?? '');
  }
  updateTimeRange() {}
}

function settings(
  url: string,
  uid = DEFAULT_MESSAGES_DATASOURCE_UID
): DataSourceInstanceSettings<MessagesDataSourceOptions> {
  return {
    id: 1,
    uid,
    name: 'Ollama Lens messages',
    type: DATASOURCE_TYPE,
    access: 'proxy',
    readOnly: false,
    url: `/api/datasources/proxy/uid/${uid}`,
    jsonData: { url },
    meta: {} as DataSourceInstanceSettings['meta'],
  };
}

function request(targets: MessagesQuery[], hours = 24): DataQueryRequest<MessagesQuery> {
  const to = dateTime();
  const from = dateTime(to.valueOf() - hours * 3600_000);
  return {
    requestId: 'test',
    interval: '1m',
    intervalMs: 60_000,
    range: { from, to, raw: { from: `now-${hours}h`, to: 'now' } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  };
}

describe('query translation (no network)', () => {
  const ds = new MessagesDataSource(
    settings('http://sidecar:11435'),
    new DashboardVariables({ model: ['tiny', 'tiny2'], who: 'alice' })
  );

  it('maps a query with variables and ranges onto the API filter', () => {
    const filters = ds.toFilters(
      {
        refId: 'A',
        search: '  tides ',
        models: '$model',
        statuses: 'error, timeout',
        categories: 'code',
        user: '${who}',
        minLatencyMs: 100,
        maxLatencyMs: 2500,
      },
      1000,
      2000
    );
    expect(filters).toEqual({
      q: 'tides',
      model: ['tiny', 'tiny2'],
      status: ['error', 'timeout'],
      category: ['code'],
      user: 'alice',
      session: undefined,
      endpoint: undefined,
      from: 1000,
      to: 2000,
      min_input_tokens: undefined,
      max_input_tokens: undefined,
      min_output_tokens: undefined,
      max_output_tokens: undefined,
      min_latency_ms: 100,
      max_latency_ms: 2500,
    });
    expect(filtersToParams(filters).toString()).toBe(
      'q=tides&user=alice&model=tiny&model=tiny2&status=error&status=timeout&category=code&min_latency_ms=100&max_latency_ms=2500&from=1000&to=2000'
    );
  });

  it('treats an "All" selection and blank text as no filter', () => {
    const filters = ds.toFilters({ refId: 'A', models: '$__all', user: '   ', search: '' }, undefined, undefined);
    expect(filters.model).toBeUndefined();
    expect(filters.user).toBeUndefined();
    expect(filters.q).toBeUndefined();
    expect(filtersToParams(filters).toString()).toBe('');
  });

  it('rejects bad numbers and empty ranges with a clear message', () => {
    expect(() => ds.toFilters({ refId: 'A', minInputTokens: -1 }, 0, 1)).toThrow(
      'minInputTokens must be a whole number ≥ 0, got -1'
    );
    expect(() => ds.toFilters({ refId: 'A', maxOutputTokens: 2.5 }, 0, 1)).toThrow(FilterError);
    expect(() => filtersToParams({ min_latency_ms: 500, max_latency_ms: 100 })).toThrow(
      'the latency range is empty: minimum 500 is above maximum 100'
    );
    expect(() => filtersToParams({ from: 10, to: 10 })).toThrow('the time range is empty');
  });

  it('checks range bounds by the contract: whole token counts, fractional latency, the upper bounds', () => {
    // Latency is measured in fractions of a millisecond, and the sidecar takes them.
    expect(ds.toFilters({ refId: 'A', minLatencyMs: 0.5, maxLatencyMs: 12.25 }, 0, 1)).toMatchObject({
      min_latency_ms: 0.5,
      max_latency_ms: 12.25,
    });
    expect(filtersToParams({ min_latency_ms: 0.5 }).toString()).toBe('min_latency_ms=0.5');
    expect(parseBound('max_latency_ms', ' 2.5 ')).toBe(2.5);
    expect(() => parseBound('max_input_tokens', '2.5')).toThrow(
      'max_input_tokens must be a whole number ≥ 0, got "2.5"'
    );
    expect(() => parseBound('min_latency_ms', '-1')).toThrow('min_latency_ms must be a number ≥ 0, got "-1"');
    // Past the sidecar's bounds is a clear message here, not a 400 from the sidecar.
    expect(() => filtersToParams({ max_input_tokens: RANGE_FILTERS.max_input_tokens.max + 1 })).toThrow(
      `max_input_tokens must be at most ${RANGE_FILTERS.max_input_tokens.max}`
    );
    expect(() => ds.toFilters({ refId: 'A', maxLatencyMs: BOUNDS.latencyMsMax * 2 }, 0, 1)).toThrow(
      `maxLatencyMs must be at most ${BOUNDS.latencyMsMax}`
    );
  });

  it('has a query field for every filter of the API but the time range, each its own', () => {
    const apiKeys = [...TEXT_FILTER_KEYS, ...LIST_FILTER_KEYS, ...RANGE_FILTER_KEYS].sort();
    expect(Object.keys(QUERY_FILTER_FIELDS).sort()).toEqual(apiKeys);
    expect(new Set(Object.values(QUERY_FILTER_FIELDS)).size).toBe(apiKeys.length);
  });

  it('parses variable queries and explains unknown ones', () => {
    expect(parseVariableQuery('models')).toBe('models');
    expect(parseVariableQuery(' Users ')).toBe('users');
    expect(parseVariableQuery('category')).toBe('categories');
    expect(parseVariableQuery({ kind: 'models' })).toBe('models');
    expect(() => parseVariableQuery('sessions')).toThrow(
      'Unknown variable query "sessions". Use one of: models, users, categories.'
    );
  });

  it('asks for at most 200 buckets and never below Grafana’s interval', () => {
    expect(bucketSeconds(0, 24 * 3600_000, 60_000)).toBe(432); // 24 h / 200
    expect(bucketSeconds(0, 3600_000, 60_000)).toBe(60); // Grafana's 1 m wins
    expect(bucketSeconds(0, 1000, undefined)).toBe(1);
  });
});

describe('the data source against the real sidecar (through the emulated Grafana proxy)', () => {
  let grafana: TestGrafana;
  let ds: MessagesDataSource;

  beforeAll(async () => {
    grafana = await startTestGrafana();
    ds = new MessagesDataSource(settings(grafana.sidecar.url), undefined);
  });
  afterAll(() => grafana.stop());

  it('returns the seeded messages as a table frame, newest first', async () => {
    const res = await ds.query(request([{ refId: 'A', queryType: 'messages', limit: 100 }]));
    const frame = res.data[0];
    expect(frame.refId).toBe('A');
    const ids = frame.fields.find((f: { name: string }) => f.name === 'id').values as string[];
    expect(ids).toHaveLength(grafana.sidecar.seed.total);
    expect(ids).toEqual(expect.arrayContaining(Object.values(grafana.sidecar.seed.ids)));
    const times = frame.fields.find((f: { name: string }) => f.name === 'time').values as number[];
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(frame.fields.find((f: { name: string }) => f.name === 'id').config.links[0].url).toBe(
      '/a/ollamalens-explorer-app/explorer/message/${__value.raw}'
    );
  });

  it('filters by model and user, as the query says', async () => {
    const res = await ds.query(request([{ refId: 'B', queryType: 'messages', user: 'alice' }]));
    const users = res.data[0].fields.find((f: { name: string }) => f.name === 'user').values as string[];
    expect(users.length).toBe(2);
    expect(new Set(users)).toEqual(new Set(['alice']));
    const byModel = await ds.query(request([{ refId: 'C', queryType: 'messages', models: 'no-such-model' }]));
    // The store keeps the canonical name (no tag means :latest); the filter matches either spelling.
    expect(byModel.data[0].fields.find((f: { name: string }) => f.name === 'model').values).toEqual([
      'no-such-model:latest',
    ]);
  });

  it('returns time series, breakdown, scatter, histogram and summary frames', async () => {
    const res = await ds.query(
      request([
        { refId: 'T', queryType: 'aggregations', series: ['requests', 'errors'] },
        { refId: 'M', queryType: 'breakdown', dimension: 'model' },
        { refId: 'S', queryType: 'scatter' },
        { refId: 'H', queryType: 'latency_histogram' },
        { refId: 'U', queryType: 'summary' },
      ])
    );
    const [ts, byModel, scatter, histogram, summary] = res.data;
    expect(ts.fields.map((f: { name: string }) => f.name)).toEqual(['time', 'requests', 'errors']);
    expect(ts.fields[0].type).toBe(FieldType.time);
    const requests = (ts.fields[1].values as number[]).reduce((a, b) => a + (b ?? 0), 0);
    expect(requests).toBe(grafana.sidecar.seed.total);
    expect(byModel.fields[0].values).toEqual(expect.arrayContaining(grafana.sidecar.seed.models));
    expect(scatter.fields.find((f: { name: string }) => f.name === 'id').values.length).toBeGreaterThan(0);
    expect((histogram.fields[1].values as number[]).reduce((a, b) => a + b, 0)).toBe(grafana.sidecar.seed.total);
    expect(summary.fields.find((f: { name: string }) => f.name === 'messages').values).toEqual([
      grafana.sidecar.seed.total,
    ]);
    expect(summary.fields.find((f: { name: string }) => f.name === 'unique_users').values).toEqual([
      grafana.sidecar.seed.users.length,
    ]);
  });

  it('lists models, users and categories for template variables', async () => {
    expect((await ds.metricFindQuery('models')).map((v) => v.value)).toEqual(
      expect.arrayContaining(grafana.sidecar.seed.models)
    );
    expect((await ds.metricFindQuery('users')).map((v) => v.value)).toEqual(
      expect.arrayContaining(grafana.sidecar.seed.users)
    );
    expect((await ds.metricFindQuery('categories')).map((v) => v.text)).toEqual(
      expect.arrayContaining(['summarization', 'translation', 'code', 'chat', 'analysis', 'other'])
    );
  });

  it('reports a working connection with the number of stored messages', async () => {
    await expect(ds.testDatasource()).resolves.toEqual({
      status: 'success',
      message: `Connected to the sidecar at ${grafana.sidecar.url}: ${grafana.sidecar.seed.total} messages stored.`,
    });
  });

  it('explains a wrong token, a wrong URL and an unreachable sidecar', async () => {
    const badToken = 'bad-token-uid';
    grafana.emulator.addDataSource({
      uid: badToken,
      name: 'bad token',
      type: DATASOURCE_TYPE,
      jsonData: { url: grafana.sidecar.url },
      secureJsonData: { token: 'wrong' },
    });
    const wrongUrl = 'wrong-url-uid';
    grafana.emulator.addDataSource({
      uid: wrongUrl,
      name: 'wrong url',
      type: DATASOURCE_TYPE,
      jsonData: { url: grafana.sidecar.ollamaUrl },
      secureJsonData: {},
    });
    const down = 'down-uid';
    grafana.emulator.addDataSource({
      uid: down,
      name: 'down',
      type: DATASOURCE_TYPE,
      jsonData: { url: 'http://127.0.0.1:9' },
      secureJsonData: {},
    });

    const bad = await new MessagesDataSource(settings(grafana.sidecar.url, badToken), undefined).testDatasource();
    expect(bad.status).toBe('error');
    expect(bad.message).toMatch(/reachable but rejected the token \(401\)/);

    const wrong = await new MessagesDataSource(
      settings(grafana.sidecar.ollamaUrl, wrongUrl),
      undefined
    ).testDatasource();
    expect(wrong.status).toBe('error');
    expect(wrong.message).toMatch(/not an Ollama Lens sidecar/);

    const unreachable = await new MessagesDataSource(settings('http://127.0.0.1:9', down), undefined).testDatasource();
    expect(unreachable.status).toBe('error');
    expect(unreachable.message).toMatch(/^Cannot reach the sidecar at http:\/\/127\.0\.0\.1:9/);

    await expect(new MessagesDataSource(settings('', down), undefined).testDatasource()).resolves.toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^No sidecar URL is set/),
    });
  });

  it('never sends the token from the browser; Grafana adds it on the server side', () => {
    expect(grafana.backend.sent.length).toBeGreaterThan(0);
    for (const req of grafana.backend.sent) {
      expect(JSON.stringify(req)).not.toContain(grafana.sidecar.token);
    }
  });
});
