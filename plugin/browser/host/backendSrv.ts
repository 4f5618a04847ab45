/**
 * Grafana's BackendSrv as far as the plugin uses it, on the browser's fetch: same-origin requests to the
 * GrafanaEmulator, JSON bodies parsed, non-2xx answers as FetchError objects.
 */
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, Observable, throwError } from 'rxjs';

function withParams(url: string, params: BackendSrvRequest['params']): string {
  if (!params || typeof params !== 'object') {
    return url;
  }
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined || value === null) {
      continue;
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      search.append(key, String(v));
    }
  }
  const query = search.toString();
  return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
}

export class FetchBackendSrv implements BackendSrv {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      const url = withParams(options.url.startsWith('/') ? options.url : `/${options.url}`, options.params);
      const headers: Record<string, string> = {
        accept: 'application/json, text/plain, */*',
        ...(options.headers ?? {}),
      };
      let body: string | undefined;
      if (options.data !== undefined) {
        body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
        headers['content-type'] = headers['content-type'] ?? 'application/json';
      }
      fetch(url, { method: options.method ?? 'GET', headers, body, signal: controller.signal })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text === '' ? '' : JSON.parse(text);
          } catch {
            // not JSON: handed through as text, like Grafana's
          }
          if (!res.ok) {
            const error: FetchError = { status: res.status, statusText: res.statusText, data, config: options };
            subscriber.error(error);
            return;
          }
          subscriber.next({
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: true,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url,
            config: options,
          });
          subscriber.complete();
        })
        .catch((err: Error) => {
          if (err.name !== 'AbortError') {
            subscriber.error({ status: 0, statusText: err.message, data: { message: err.message }, config: options });
          }
        });
      return () => controller.abort();
    });
  }

  private async call<T>(method: string, url: string, data?: unknown, params?: BackendSrvRequest['params']) {
    const res = await lastValueFrom(this.fetch<T>({ method, url, data, params }));
    return res.data;
  }

  get<T>(url: string, params?: BackendSrvRequest['params']): Promise<T> {
    return this.call<T>('GET', url, undefined, params);
  }
  delete<T>(url: string, data?: unknown): Promise<T> {
    return this.call<T>('DELETE', url, data);
  }
  post<T>(url: string, data?: unknown): Promise<T> {
    return this.call<T>('POST', url, data);
  }
  patch<T>(url: string, data?: unknown): Promise<T> {
    return this.call<T>('PATCH', url, data);
  }
  put<T>(url: string, data?: unknown): Promise<T> {
    return this.call<T>('PUT', url, data);
  }
  request<T>(options: BackendSrvRequest): Promise<T> {
    return lastValueFrom(this.fetch<T>(options)).then((r) => r.data);
  }
  datasourceRequest<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return lastValueFrom(this.fetch<T>(options));
  }
  chunked(_options: BackendSrvRequest): Observable<FetchResponse<Uint8Array | undefined>> {
    return throwError(() => new Error('chunked requests are not used by this plugin'));
  }
}
