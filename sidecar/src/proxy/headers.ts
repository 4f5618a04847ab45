import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { ORIGINS, type Origin } from '@ollama-lens/contracts';

/** Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Request headers for Ollama, from the client's raw header list (case and order kept). Host becomes the
 * upstream's: Ollama rejects a Host it does not consider local with an empty 403. With a `traceparent`
 * (OpenTelemetry export on), the client's is replaced: Ollama's side of the trace hangs off our span.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  upstreamHost: string,
  traceparent?: string
): string[] {
  const out: string[] = [];
  let connectionTokens: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') {
      connectionTokens = new Set(
        rawHeaders[i + 1]
          .toLowerCase()
          .split(',')
          .map((s) => s.trim())
      );
    }
  }
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = name.toLowerCase();
    if (lower === 'host' || HOP_BY_HOP.has(lower) || connectionTokens?.has(lower)) continue;
    if (traceparent !== undefined && lower === 'traceparent') continue;
    out.push(name, rawHeaders[i + 1]);
  }
  if (traceparent !== undefined) out.push('traceparent', traceparent);
  out.push('host', upstreamHost);
  return out;
}

/** Response headers for the client: Ollama's, minus hop-by-hop ones, plus the sidecar's own. */
export function clientResponseHeaders(
  upstream: IncomingHttpHeaders,
  extra: OutgoingHttpHeaders
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return Object.assign(out, extra);
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A known origin of the product's own requests (x-ollama-lens-origin); anything else is an app's request. */
export function originOf(value: string | undefined): Origin | undefined {
  const v = value?.trim().toLowerCase();
  return ORIGINS.find((o) => o === v);
}
