import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { SidecarError, toSidecarError } from './errors';
import { exportParams, filtersToParams, pageToParams, type PageRequest } from './filters';
import type {
  Aggregations,
  DataSummary,
  EventGroup,
  EventsResponse,
  EventType,
  StatusLine,
  ExportFormat,
  MessageDetailResponse,
  MessageFilters,
  MessagesPage,
  NamedCount,
  SearchResults,
} from '@ollama-lens/contracts';

/** The part of the sidecar's /healthz answer the connection test reads (not an analytics route). */
export interface Health {
  status: string;
}

/**
 * Typed access to the sidecar's analytics API through a Grafana proxy path: the data source proxy
 * (`/api/datasources/proxy/uid/<uid>/sidecar`) or the app's plugin proxy
 * (`/api/plugin-proxy/<app id>/sidecar`). Grafana's server adds the URL and the bearer token from the
 * route in plugin.json, so the token never reaches the browser.
 */
export class SidecarClient {
  constructor(readonly baseUrl: string) {}

  health(): Promise<Health> {
    return this.get<Health>('/healthz', undefined, 'Health check', (d) => isObject(d) && typeof d.status === 'string');
  }

  dataSummary(): Promise<DataSummary> {
    return this.get<DataSummary>(
      '/analytics/data/summary',
      undefined,
      'Store summary',
      (d) => isObject(d) && typeof d.messages === 'number'
    );
  }

  messages(filters: MessageFilters, page: PageRequest = {}): Promise<MessagesPage> {
    const params = pageToParams(page, filtersToParams(filters));
    return this.get<MessagesPage>(
      '/analytics/messages',
      params,
      'Messages',
      (d) => isObject(d) && Array.isArray(d.messages)
    );
  }

  message(id: string): Promise<MessageDetailResponse> {
    if (!id.trim()) {
      return Promise.reject(new SidecarError('bad_request', 'Message: no id given'));
    }
    return this.get<MessageDetailResponse>(
      `/analytics/messages/${encodeURIComponent(id)}`,
      undefined,
      `Message ${id}`,
      (d) => isObject(d) && isObject(d.message)
    );
  }

  aggregations(filters: MessageFilters, intervalSeconds?: number): Promise<Aggregations> {
    const params = filtersToParams(filters);
    if (intervalSeconds !== undefined) {
      params.set('interval', String(Math.max(1, Math.round(intervalSeconds))));
    }
    return this.get<Aggregations>(
      '/analytics/aggregations',
      params,
      'Aggregations',
      (d) => isObject(d) && isObject(d.summary) && Array.isArray(d.timeseries)
    );
  }

  search(filters: MessageFilters, limit?: number): Promise<SearchResults['results']> {
    const params = filtersToParams(filters);
    if (limit !== undefined) {
      params.set('limit', String(limit));
    }
    return this.get<SearchResults>(
      '/analytics/search',
      params,
      'Search',
      (d) => isObject(d) && Array.isArray(d.results)
    ).then((r) => r.results);
  }

  models(): Promise<NamedCount[]> {
    return this.list('models', 'Models');
  }

  users(): Promise<NamedCount[]> {
    return this.list('users', 'Users');
  }

  categories(): Promise<NamedCount[]> {
    return this.list('categories', 'Categories');
  }

  /** The sidecars (their --instance names) whose messages the store holds. */
  hosts(): Promise<NamedCount[]> {
    return this.list('hosts', 'Servers');
  }

  /** Events (model loads, Ollama restarts, store drops…) in a time range, oldest first. */
  events(
    range: { from: number; to: number },
    only: { groups?: EventGroup[]; types?: EventType[] } = {}
  ): Promise<EventsResponse> {
    const params = new URLSearchParams({ from: String(Math.floor(range.from)), to: String(Math.ceil(range.to)) });
    if (only.groups?.length) {
      params.set('group', only.groups.join(','));
    }
    if (only.types?.length) {
      params.set('type', only.types.join(','));
    }
    return this.get<EventsResponse>(
      '/analytics/events',
      params,
      'Events',
      (d) => isObject(d) && Array.isArray(d.events)
    );
  }

  /** The status line: one line about the state of Ollama, with the facts behind it. */
  status(): Promise<StatusLine> {
    return this.get<StatusLine>(
      '/analytics/status',
      undefined,
      'Status line',
      (d) => isObject(d) && typeof d.line === 'string' && Array.isArray(d.facts)
    );
  }

  /** A link to the streamed export of the filter (a plain GET through the proxy, so the browser downloads it). */
  exportUrl(filters: MessageFilters, format: ExportFormat): string {
    return `${this.baseUrl}/analytics/export?${exportParams(filters, format).toString()}`;
  }

  private list(kind: 'models' | 'users' | 'categories' | 'hosts', what: string): Promise<NamedCount[]> {
    return this.get<Record<string, NamedCount[]>>(
      `/analytics/${kind}`,
      undefined,
      what,
      (d) => isObject(d) && Array.isArray(d[kind])
    ).then((r) => r[kind]);
  }

  private async get<T>(
    path: string,
    params: URLSearchParams | undefined,
    what: string,
    valid: (data: unknown) => boolean
  ): Promise<T> {
    const query = params && params.toString() ? `?${params.toString()}` : '';
    let data: unknown;
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<unknown>({ url: `${this.baseUrl}${path}${query}`, method: 'GET', showErrorAlert: false })
      );
      data = response.data;
    } catch (err) {
      throw toSidecarError(err, what);
    }
    if (!valid(data)) {
      throw new SidecarError(
        'unexpected_response',
        `${what}: the answer is not what an Ollama Lens sidecar sends; check that the URL points at the sidecar (default port 11435), not at Ollama or another service`
      );
    }
    return data as T;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
