/**
 * A BackendSrv that performs real HTTP with Node's http client (jsdom has no fetch), against the
 * GrafanaEmulator's base URL. It behaves like Grafana's for what the plugin relies on: JSON bodies are
 * parsed (anything else stays text), non-2xx answers become FetchError objects, and the request URL is
 * relative to Grafana's root.
 */
import http from 'node:http';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, Observable, throwError } from 'rxjs';

/** Minimal Headers for FetchResponse (jsdom provides no Headers class). */
class ResponseHeaders implements Headers {
  private readonly map = new Map<string, string>();
  constructor(raw: http.IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) {
        this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
      }
    }
  }
  append(name: string, value: string) {
    const key = name.toLowerCase();
    this.map.set(key, this.map.has(key) ? `${this.map.get(key)}, ${value}` : value);
  }
  delete(name: string) {
    this.map.delete(name.toLowerCase());
  }
  get(name: string) {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  getSetCookie() {
    return [];
  }
  has(name: string) {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string) {
    this.map.set(name.toLowerCase(), value);
  }
  forEach(callback: (value: string, key: string, parent: Headers) => void) {
    this.map.forEach((value, key) => callback(value, key, this));
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}

function serializeParams(params: Record<string, unknown> | undefined): string {
  if (!params) {
    return '';
  }
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) {
      continue;
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      search.append(key, String(v));
    }
  }
  return search.toString();
}

export class NodeBackendSrv implements BackendSrv {
  /** Every request the "browser" made, for assertions (e.g. that no token ever leaves the server). */
  readonly sent: Array<{ method: string; url: string; headers: Record<string, string> }> = [];

  constructor(private readonly grafanaUrl: string) {}

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const method = (options.method ?? 'GET').toUpperCase();
      const query = serializeParams(options.params);
      const relative = options.url.startsWith('/') ? options.url : `/${options.url}`;
      const target = new URL(
        `${this.grafanaUrl}${relative}${query ? (relative.includes('?') ? '&' : '?') + query : ''}`
      );
      const headers: Record<string, string> = {
        accept: 'application/json, text/plain, */*',
        ...(options.headers ?? {}),
      };
      let payload: string | undefined;
      if (options.data !== undefined) {
        payload = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
        headers['content-type'] = headers['content-type'] ?? 'application/json';
      }
      this.sent.push({ method, url: relative, headers });
      const req = http.request(target, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let data: unknown = text;
          try {
            data = text === '' ? '' : JSON.parse(text);
          } catch {
            // Not JSON: Grafana's backendSrv also hands the text through.
          }
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          if (!ok) {
            const error: FetchError = { status, statusText: res.statusMessage ?? '', data, config: options };
            subscriber.error(error);
            return;
          }
          subscriber.next({
            data: data as T,
            status,
            statusText: res.statusMessage ?? '',
            ok,
            headers: new ResponseHeaders(res.headers),
            redirected: false,
            type: 'basic',
            url: relative,
            config: options,
          });
          subscriber.complete();
        });
        res.on('error', (err) => subscriber.error(err));
      });
      req.on('error', (err) => {
        const error: FetchError = {
          status: 0,
          statusText: err.message,
          data: { message: err.message },
          config: options,
        };
        subscriber.error(error);
      });
      req.end(payload);
      return () => req.destroy();
    });
  }

  private async body<T>(options: BackendSrvRequest): Promise<T> {
    return (await lastValueFrom(this.fetch<T>(options))).data;
  }

  get<T>(
    url: string,
    params?: Record<string, unknown>,
    _requestId?: string,
    options?: Partial<BackendSrvRequest>
  ): Promise<T> {
    return this.body<T>({ ...options, url, params, method: 'GET' });
  }
  delete<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.body<T>({ ...options, url, data, method: 'DELETE' });
  }
  post<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.body<T>({ ...options, url, data, method: 'POST' });
  }
  patch<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.body<T>({ ...options, url, data, method: 'PATCH' });
  }
  put<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.body<T>({ ...options, url, data, method: 'PUT' });
  }
  request<T>(options: BackendSrvRequest): Promise<T> {
    return this.body<T>(options);
  }
  datasourceRequest<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return lastValueFrom(this.fetch<T>(options));
  }
  chunked(_options: BackendSrvRequest): Observable<FetchResponse<Uint8Array | undefined>> {
    return throwError(() => new Error('chunked requests are not used by this plugin'));
  }
}
