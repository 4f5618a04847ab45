/**
 * The browser's fetch for streamed answers, over Node's http client (jsdom has no fetch): requests are
 * relative to Grafana's root (the GrafanaEmulator's base URL), the body is a web ReadableStream that
 * delivers bytes as they arrive, and aborting the signal closes the connection and rejects pending reads
 * with an AbortError, as fetch does.
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import type { StreamFetch, StreamResponse } from '../api/stream';

function abortError(): Error {
  const err = new Error('The operation was aborted.');
  err.name = 'AbortError';
  return err;
}

export function nodeStreamFetch(base: string): StreamFetch {
  return (url, init) =>
    new Promise<StreamResponse>((resolve, reject) => {
      if (init.signal?.aborted) {
        reject(abortError());
        return;
      }
      let response: http.IncomingMessage | undefined;
      const req = http.request(new URL(url, base), { method: init.method, headers: init.headers }, (res) => {
        response = res;
        const headers = {
          get: (name: string) => {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
        };
        const status = res.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: res.statusMessage ?? '',
          headers,
          body: Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>,
          text: async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of res) {
              chunks.push(chunk as Buffer);
            }
            return Buffer.concat(chunks).toString('utf8');
          },
        });
      });
      init.signal?.addEventListener(
        'abort',
        () => {
          const err = abortError();
          // The body's reader sees the response's error; the connection closes with the request.
          response?.destroy(err);
          req.destroy(err);
        },
        { once: true }
      );
      req.on('error', reject);
      req.end(init.body);
    });
}
