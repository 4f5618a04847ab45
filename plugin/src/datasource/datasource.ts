import {
  DataSourceApi,
  type CoreApp,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type LegacyMetricFindQueryOptions,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { SidecarClient } from '../api/client';
import { testSidecarConnection } from '../api/connectionTest';
import {
  BREAKDOWN_DIMENSIONS,
  EVENT_GROUPS,
  EVENT_TYPES,
  LIST_FILTER_KEYS,
  PAGE_LIMIT,
  RANGE_FILTER_KEYS,
  SORTS,
  TEXT_FILTER_KEYS,
  type MessageFilters,
  type NamedCount,
} from '@ollama-lens/contracts';
import { checkBound, FilterError, splitList } from '../api/filters';
import {
  breakdownFrame,
  latencyHistogramFrame,
  messagesFrame,
  scatterFrame,
  summaryFrame,
  timeseriesFrame,
} from './frames';
import { eventsFrame, statusFrame } from './eventFrames';
import {
  DEFAULT_QUERY,
  PROXY_ROUTE,
  QUERY_FILTER_FIELDS,
  VARIABLE_KINDS,
  type MessagesDataSourceOptions,
  type MessagesQuery,
  type MessagesVariableQuery,
  type VariableKind,
} from './types';

/** Most buckets the data source asks for; the sidecar picks its own interval (≤ ~200 buckets) otherwise. */
const MAX_BUCKETS = 200;

/**
 * The messages data source: a frontend-only data source that reaches the sidecar through Grafana's data
 * source proxy (route `sidecar` in plugin.json), so the sidecar URL and token stay on the server.
 */
export class MessagesDataSource extends DataSourceApi<MessagesQuery, MessagesDataSourceOptions> {
  readonly client: SidecarClient;
  /** Sidecar URL as configured (for messages; the browser never calls it directly). */
  readonly sidecarUrl: string;

  constructor(
    instanceSettings: DataSourceInstanceSettings<MessagesDataSourceOptions>,
    private readonly templateSrv: TemplateSrv | undefined = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.client = new SidecarClient(`${instanceSettings.url ?? ''}/${PROXY_ROUTE}`);
    this.sidecarUrl = instanceSettings.jsonData.url ?? '';
    // Annotation queries are ordinary queries of type "events": the frame's time/title/text/tags fields
    // are what Grafana's annotation processing reads.
    this.annotations = {
      prepareAnnotation: (annotation) =>
        annotation.target ? annotation : { ...annotation, target: { refId: 'Anno', queryType: 'events' } },
    };
  }

  getDefaultQuery(_app: CoreApp): Partial<MessagesQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: MessagesQuery): boolean {
    return !query.hide;
  }

  async query(request: DataQueryRequest<MessagesQuery>): Promise<DataQueryResponse> {
    const from = request.range.from.valueOf();
    const to = request.range.to.valueOf();
    const frames = await Promise.all(
      request.targets.filter((t) => this.filterQuery(t)).map((target) => this.runQuery(target, from, to, request))
    );
    return { data: frames.flat() };
  }

  /** Turns a query (after variable interpolation) into the API filter. Exposed for tests and the Explorer. */
  toFilters(
    query: MessagesQuery,
    from: number | undefined,
    to: number | undefined,
    scopedVars: ScopedVars = {}
  ): MessageFilters {
    const text = (value: string | undefined): string | undefined => {
      const replaced = value === undefined ? undefined : this.interpolate(value, scopedVars).trim();
      return replaced ? replaced : undefined;
    };
    const list = (value: string | undefined): string[] | undefined => {
      const items = splitList(text(value)).filter((v) => v !== '$__all');
      return items.length > 0 ? items : undefined;
    };
    const filters: MessageFilters = { from, to };
    for (const key of TEXT_FILTER_KEYS) {
      filters[key] = text(query[QUERY_FILTER_FIELDS[key]]);
    }
    for (const key of LIST_FILTER_KEYS) {
      filters[key] = list(query[QUERY_FILTER_FIELDS[key]]);
    }
    for (const key of RANGE_FILTER_KEYS) {
      const field = QUERY_FILTER_FIELDS[key];
      const value = query[field];
      if (value === undefined || value === null) {
        continue;
      }
      const problem = checkBound(key, value, field);
      if (problem) {
        throw new FilterError(problem);
      }
      filters[key] = value;
    }
    return filters;
  }

  private async runQuery(
    query: MessagesQuery,
    from: number,
    to: number,
    request: DataQueryRequest<MessagesQuery>
  ): Promise<DataFrame[]> {
    const refId = query.refId;
    const type = query.queryType ?? 'messages';
    // Events and the status line take no message filter.
    if (type === 'events') {
      const groups = this.pick(query.eventGroups, EVENT_GROUPS, request.scopedVars);
      const types = this.pick(query.eventTypes, EVENT_TYPES, request.scopedVars);
      const { events } = await this.client.events({ from, to }, { groups, types });
      return [eventsFrame(refId, events)];
    }
    if (type === 'status') {
      return [statusFrame(refId, await this.client.status())];
    }
    const filters = this.toFilters(query, from, to, request.scopedVars);
    switch (type) {
      case 'messages': {
        const sort = query.sort && (SORTS as readonly string[]).includes(query.sort) ? query.sort : 'time';
        const page = await this.client.messages(filters, {
          sort,
          order: query.order === 'asc' ? 'asc' : 'desc',
          limit: Math.min(PAGE_LIMIT.max, Math.max(PAGE_LIMIT.min, query.limit ?? PAGE_LIMIT.default)),
        });
        return [messagesFrame(refId, page.messages, page.next_cursor)];
      }
      case 'aggregations': {
        const aggs = await this.client.aggregations(filters, bucketSeconds(from, to, request.intervalMs));
        return [timeseriesFrame(refId, aggs, query.series ?? [])];
      }
      case 'breakdown': {
        const dimension = query.dimension && BREAKDOWN_DIMENSIONS.includes(query.dimension) ? query.dimension : 'model';
        const aggs = await this.client.aggregations(filters);
        return [breakdownFrame(refId, aggs, dimension)];
      }
      case 'scatter':
        return [scatterFrame(refId, await this.client.aggregations(filters))];
      case 'summary':
        return [summaryFrame(refId, (await this.client.aggregations(filters)).summary)];
      case 'latency_histogram':
        return [latencyHistogramFrame(refId, await this.client.aggregations(filters))];
      default:
        throw new Error(`unknown query type "${String(type)}"`);
    }
  }

  /**
   * Template variables: `models`, `users` or `categories` (a string in the variable editor, or
   * `{kind}` from code). Values are the names; the text adds the message count.
   */
  async metricFindQuery(
    query: string | MessagesVariableQuery,
    _options?: LegacyMetricFindQueryOptions
  ): Promise<MetricFindValue[]> {
    const kind = parseVariableQuery(query);
    const items: NamedCount[] =
      kind === 'models'
        ? await this.client.models()
        : kind === 'users'
          ? await this.client.users()
          : await this.client.categories();
    return items.map((item) => ({ text: item.name, value: item.name }));
  }

  /** Reaching the sidecar, then the token and the store; each failure says what to fix. */
  async testDatasource(): Promise<TestDataSourceResponse> {
    const result = await testSidecarConnection(this.client, this.sidecarUrl);
    return { status: result.ok ? 'success' : 'error', message: result.message };
  }

  /** The known values of an interpolated list field ("models,$group"); an unknown one is a clear error. */
  private pick<T extends string>(value: string | undefined, known: readonly T[], scopedVars: ScopedVars): T[] {
    const items = splitList(value === undefined ? undefined : this.interpolate(value, scopedVars)).filter(
      (v) => v !== '$__all'
    );
    const unknown = items.filter((v) => !(known as readonly string[]).includes(v));
    if (unknown.length > 0) {
      throw new Error(`unknown ${unknown.join(', ')}; expected one of ${known.join(', ')}`);
    }
    return items as T[];
  }

  private interpolate(value: string, scopedVars: ScopedVars): string {
    return this.templateSrv ? this.templateSrv.replace(value, scopedVars, 'csv') : value;
  }
}

export function parseVariableQuery(query: string | MessagesVariableQuery): VariableKind {
  const raw = (typeof query === 'string' ? query : (query?.kind ?? '')).trim().toLowerCase();
  const singular: Record<string, VariableKind> = { model: 'models', user: 'users', category: 'categories' };
  const kind = VARIABLE_KINDS.find((k) => k === raw) ?? singular[raw];
  if (!kind) {
    throw new Error(`Unknown variable query "${raw}". Use one of: ${VARIABLE_KINDS.join(', ')}.`);
  }
  return kind;
}

/** Interval in seconds for ≤ MAX_BUCKETS buckets, at least Grafana's suggested interval. */
export function bucketSeconds(from: number, to: number, intervalMs: number | undefined): number {
  const rangeSeconds = Math.max(1, (to - from) / 1000);
  const minimum = Math.ceil(rangeSeconds / MAX_BUCKETS);
  const suggested = intervalMs ? Math.ceil(intervalMs / 1000) : 0;
  return Math.max(1, minimum, suggested);
}
