import { dateTime, type DataFrame, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import type { EventsResponse, StatusLine } from '@ollama-lens/contracts';
import { DEFAULT_MESSAGES_DATASOURCE_UID } from '../constants';
import { sidecarGet } from '../testing/sidecarApi';
import { startTestGrafana, type TestGrafana } from '../testing/testGrafana';
import { MessagesDataSource } from './datasource';
import { DATASOURCE_TYPE, type MessagesDataSourceOptions, type MessagesQuery } from './types';

const settings: DataSourceInstanceSettings<MessagesDataSourceOptions> = {
  id: 1,
  uid: DEFAULT_MESSAGES_DATASOURCE_UID,
  name: 'Ollama Lens messages',
  type: DATASOURCE_TYPE,
  access: 'proxy',
  readOnly: false,
  url: `/api/datasources/proxy/uid/${DEFAULT_MESSAGES_DATASOURCE_UID}`,
  jsonData: {},
  meta: {} as DataSourceInstanceSettings['meta'],
};

function request(targets: MessagesQuery[]): DataQueryRequest<MessagesQuery> {
  const to = dateTime(Date.now() + 60_000);
  const from = dateTime(to.valueOf() - 24 * 3600_000);
  return {
    requestId: 'events',
    interval: '1m',
    intervalMs: 60_000,
    range: { from, to, raw: { from: 'now-24h', to: 'now' } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  };
}

let grafana: TestGrafana;
let ds: MessagesDataSource;
beforeAll(async () => {
  grafana = await startTestGrafana();
  ds = new MessagesDataSource(settings, undefined);
});
afterAll(() => grafana.stop());

describe('events and the status line through the data source (real sidecar)', () => {
  it('an annotation query returns the sidecar’s events as an annotation frame', async () => {
    const now = Date.now();
    const direct = await sidecarGet<EventsResponse>(`/analytics/events?from=${now - 24 * 3600_000}&to=${now + 60_000}`);
    expect(direct.events.map((e) => e.type)).toContain('sidecar_started');
    const { data } = await ds.query(request([{ refId: 'Anno', queryType: 'events' }]));
    const frame: DataFrame = data[0];
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'title', 'text', 'tags', 'color', 'type', 'model']);
    expect(frame.fields[0].values).toEqual(direct.events.map((e) => e.at));
    expect(frame.fields[1].values).toContain('Sidecar started');
  });

  it('a layer shows only its group; an unknown group is a clear error', async () => {
    const { data } = await ds.query(request([{ refId: 'A', queryType: 'events', eventGroups: 'sidecar' }]));
    const tags = (data[0] as DataFrame).fields[3].values as string[][];
    expect(new Set(tags.map((t) => t[0]))).toEqual(new Set(['sidecar']));
    await expect(ds.query(request([{ refId: 'A', queryType: 'events', eventGroups: 'gpus' }]))).rejects.toThrow(
      /unknown gpus; expected one of models, ollama, sidecar/
    );
  });

  it('an annotation without a query gets the events query', () => {
    const prepared = ds.annotations?.prepareAnnotation?.({
      name: 'Models',
      enable: true,
      iconColor: 'blue',
      datasource: { uid: settings.uid },
    });
    expect(prepared?.target).toEqual({ refId: 'Anno', queryType: 'events' });
  });

  it('the status line as a one-row frame', async () => {
    const status = await sidecarGet<StatusLine>('/analytics/status');
    const { data } = await ds.query(request([{ refId: 'S', queryType: 'status' }]));
    expect((data[0] as DataFrame).fields.find((f) => f.name === 'status')?.values).toEqual([status.line]);
  });
});
