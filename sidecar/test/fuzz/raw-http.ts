/**
 * A raw HTTP/1.1 client over a socket, for the fuzz suite: it sends request targets and methods byte
 * for byte (invalid UTF-8, bad percent-encoding, unknown methods), which undici and node:http refuse
 * to send, and reads whatever comes back (Connection: close, so the response ends with the socket).
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  ms: number;
}

export interface RawRequest {
  method: string;
  /** The request target as bytes on the wire (latin1: one char, one byte). */
  target: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export class RawTimeout extends Error {}

function dechunk(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Sends one request to `base` (http://host:port) and resolves with the parsed response. */
export function rawRequest(base: string, req: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(
        new RawTimeout(
          `no complete answer within ${timeoutMs} ms to ${req.method} ${req.target.slice(0, 200)}`
        )
      );
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => {
      // A reset after a complete answer (the server closed an over-long request) is still an answer.
      if (chunks.length > 0) socket.emit('end');
      else reject(err);
    });
    socket.once('end', () => {
      socket.destroy();
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        reject(
          new Error(
            `no HTTP response head (got ${all.length} bytes) to ${req.method} ${req.target.slice(0, 200)}`
          )
        );
        return;
      }
      const [statusLine, ...lines] = all.subarray(0, headEnd).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = all.subarray(headEnd + 4);
      const body = /chunked/i.test(headers['transfer-encoding'] ?? '') ? dechunk(rest) : rest;
      resolve({ status, headers, body, ms: performance.now() - started });
    });
    const head = [
      `${req.method} ${req.target} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Connection: close',
      ...Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
      ...(req.body ? [`Content-Length: ${req.body.length}`] : []),
      '',
      '',
    ].join('\r\n');
    socket.write(Buffer.from(head, 'latin1'));
    if (req.body) socket.write(req.body);
  });
}
