/**
 * Replaying recorded Ollama exchanges (fixtures.ts) through the sidecar's real tap (Exchange): the record
 * it would emit for that exchange, however the response arrived in network chunks.
 */
import type { PriceTable } from '@ollama-lens/sidecar/src/config';
import { classifyEndpoint } from '@ollama-lens/sidecar/src/ollama/endpoint';
import { Exchange } from '@ollama-lens/sidecar/src/tap/exchange';
import type { MeasurementRecord, RequestStartInfo } from '@ollama-lens/sidecar/src/tap/record';
import { loadFixture, type Fixture } from './fixtures';

/** The response as it arrived from Ollama: one network chunk per line, as Ollama writes them. */
export const byLine = (body: Buffer): Buffer[] =>
  body
    .toString('utf8')
    .split(/(?<=\n)/)
    .filter(Boolean)
    .map((l) => Buffer.from(l));
/** The response in one piece. */
export const whole = (body: Buffer): Buffer[] => (body.length ? [body] : []);
/** Every 7 bytes: cuts through lines, SSE events and multi-byte characters. */
export const ragged = (body: Buffer): Buffer[] => {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += 7) out.push(body.subarray(i, i + 7));
  return out;
};

export interface Replayed {
  /** What the tap announced once the request body was read. */
  start: RequestStartInfo;
  /** The record the tap emitted for the whole exchange. */
  record: MeasurementRecord;
}

/**
 * Feeds a recorded exchange through the sidecar's tap (a real Exchange, content captured), the
 * response split into network chunks by `split` (default: one per line), with the shadow prices of
 * --prices (default none), and returns what it emits.
 */
export function replayFixture(
  fixture: Fixture | string,
  opts: {
    id?: string;
    split?: (body: Buffer) => Buffer[];
    prices?: PriceTable;
    /** Bytes of each body kept for parsing (--capture-limit); default 1 MiB. */
    captureLimitBytes?: number;
  } = {}
): Replayed {
  const f = typeof fixture === 'string' ? loadFixture(fixture) : fixture;
  const { endpoint, flavor } = classifyEndpoint(f.request.path);
  const init = {
    id: opts.id ?? 'test-id',
    method: f.request.method,
    path: f.request.path,
    endpoint,
    flavor,
    captureContent: true,
    captureLimitBytes: opts.captureLimitBytes ?? 1 << 20,
    prices: opts.prices ?? {},
  };
  const ex = new Exchange(init);
  if (f.request.body) ex.onRequestChunk(Buffer.from(f.request.body));
  const start = ex.requestComplete();
  ex.onResponseHead(f.status, f.headers['content-type'] ?? undefined);
  for (const c of (opts.split ?? byLine)(Buffer.from(f.body))) ex.onResponseChunk(c);
  return { start, record: ex.finish({ kind: 'complete' }) };
}
