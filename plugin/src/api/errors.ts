import { isFetchError } from '@grafana/runtime';

/**
 * What went wrong talking to the sidecar, in terms a person can act on. Requests go through Grafana's
 * server (data source or plugin proxy), so some sidecar answers arrive rewritten: Grafana turns an
 * upstream 401 into a 400 "Authentication to data source failed" (so the browser session is not
 * mistaken for expired), and answers 502 when it cannot connect.
 */
export type SidecarErrorKind =
  'unreachable' | 'unauthorized' | 'not_found' | 'bad_request' | 'unavailable' | 'unexpected_response' | 'http';

export class SidecarError extends Error {
  constructor(
    readonly kind: SidecarErrorKind,
    message: string,
    readonly status?: number
  ) {
    super(message);
    this.name = 'SidecarError';
  }
}

const GRAFANA_AUTH_REWRITE = 'authentication to data source failed';

/** The message in an error body: the sidecar's `{error}`, Grafana's `{message}`, or plain text. */
export function bodyMessage(data: unknown): string | undefined {
  if (typeof data === 'string') {
    const text = data.trim();
    return text === '' ? undefined : text.slice(0, 300);
  }
  if (data && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    for (const key of ['error', 'message']) {
      const value = record[key];
      if (typeof value === 'string' && value.trim() !== '') {
        return value.trim().slice(0, 300);
      }
    }
  }
  return undefined;
}

/** Maps a failed request (a Grafana FetchError or anything else thrown) onto a SidecarError. */
export function toSidecarError(err: unknown, what: string): SidecarError {
  if (err instanceof SidecarError) {
    return err;
  }
  if (!isFetchError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new SidecarError('unreachable', `${what}: ${message}`);
  }
  const status = err.status;
  const detail = bodyMessage(err.data) ?? err.statusText ?? '';
  const suffix = detail ? `: ${detail}` : '';
  if (status === 401 || (status === 400 && detail.toLowerCase().includes(GRAFANA_AUTH_REWRITE))) {
    return new SidecarError(
      'unauthorized',
      `${what}: the sidecar rejected the token (401). Set the token to the sidecar's OLLAMA_LENS_ADMIN_TOKEN.`,
      status
    );
  }
  if (status === 0 || status === 502 || status === 504) {
    return new SidecarError(
      'unreachable',
      `${what}: Grafana could not reach the sidecar (${status || 'no response'}). Check the URL and that the sidecar is running and reachable from the Grafana server.`,
      status
    );
  }
  if (status === 404) {
    return new SidecarError('not_found', `${what}: not found (404)${suffix}`, status);
  }
  if (status === 400) {
    return new SidecarError('bad_request', `${what}: the sidecar refused the request${suffix}`, status);
  }
  if (status === 503) {
    return new SidecarError('unavailable', `${what}: the message store is unavailable (503)${suffix}`, status);
  }
  return new SidecarError('http', `${what}: HTTP ${status}${suffix}`, status);
}
