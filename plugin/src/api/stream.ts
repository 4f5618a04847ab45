import { SidecarError, toSidecarError } from './errors';

/**
 * Streamed POSTs to the sidecar through Grafana's data source proxy (the pull progress, the playground's
 * chat). Grafana's BackendSrv.fetch buffers a whole response before it emits, so a stream is read with the
 * browser's fetch and its body reader; the proxy path is the same one BackendSrv uses (`settings.url`),
 * and the browser sends Grafana's session cookie with it (same origin).
 */

/** The part of fetch's Response a stream reader uses (jsdom has no fetch: tests give a Node one). */
export interface StreamResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

export type StreamFetch = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string;
    signal?: AbortSignal;
    credentials: 'same-origin';
  }
) => Promise<StreamResponse>;

let streamFetch: StreamFetch = (url, init) => fetch(url, init);

/** Replaces the fetch used for streams: only for tests in jsdom, which has none. */
export function setStreamFetch(impl: StreamFetch): void {
  streamFetch = impl;
}

export interface NdjsonStream<T> {
  /** A response header (e.g. the stored message id), available before the first line. */
  header(name: string): string | null;
  lines: AsyncGenerator<T, void, undefined>;
}

/**
 * POSTs `body` as JSON and returns the answer's NDJSON lines as they arrive. Aborting `signal` closes the
 * request, which is how the sidecar learns to cancel Ollama's work. A non-2xx answer is thrown as the same
 * SidecarError the buffered client throws.
 */
export async function postNdjson<T>(
  url: string,
  body: unknown,
  what: string,
  signal?: AbortSignal
): Promise<NdjsonStream<T>> {
  let response: StreamResponse;
  try {
    response = await streamFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
      body: JSON.stringify(body),
      signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    throw isAbort(err) ? err : toSidecarError(err, what);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw toSidecarError({ status: response.status, statusText: response.statusText, data: parseOrText(text) }, what);
  }
  if (!response.body) {
    throw new SidecarError('unexpected_response', `${what}: the answer has no body to stream`);
  }
  return { header: (name) => response.headers.get(name), lines: readNdjson<T>(response.body, what) };
}

/** The JSON values of an NDJSON byte stream, one per non-empty line, as each line completes. */
export async function* readNdjson<T>(
  body: ReadableStream<Uint8Array>,
  what = 'Stream'
): AsyncGenerator<T, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    while (true) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffered.split('\n');
      // The last piece is an unfinished line until the stream ends.
      buffered = done ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (line.trim() !== '') {
          yield parseLine<T>(line, what);
        }
      }
      if (done) {
        return;
      }
    }
  } finally {
    // Stopping early (a break, an abort) must close the connection, not leave it draining.
    await reader.cancel().catch(() => undefined);
  }
}

function parseLine<T>(line: string, what: string): T {
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new SidecarError('unexpected_response', `${what}: a line of the stream is not JSON: ${line.slice(0, 120)}`);
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** True for the error fetch and body readers throw once their signal is aborted. */
export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
