/**
 * Fixture loading: real Ollama responses recorded by sidecar/test/fixtures/record-fixtures.ts (the
 * harness Ollama, tiny models), kept in sidecar/test/fixtures/ollama/<name>.json, and replayed through
 * the sidecar's real tap (Exchange) into the record it would emit for that exchange.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PriceTable } from '@ollama-lens/sidecar/src/config';
import { classifyEndpoint } from '@ollama-lens/sidecar/src/ollama/endpoint';
import { Exchange } from '@ollama-lens/sidecar/src/tap/exchange';
import type { MeasurementRecord, RequestStartInfo } from '@ollama-lens/sidecar/src/tap/record';
import { SIDECAR_DIR } from './sidecar';

export interface FixtureRequest {
  method: string;
  path: string;
  /** The exact request body text sent (JSON or deliberately malformed), or null for none. */
  body: string | null;
  /** Request headers beyond content-type: application/json (sent whenever there is a body). */
  headers?: Record<string, string>;
}

export interface Fixture {
  /** What the case shows, and anything surprising about Ollama's answer. */
  note: string;
  request: FixtureRequest;
  status: number;
  headers: { 'content-type': string | null };
  /** The raw response body as text: NDJSON lines, SSE frames, JSON or plain text. */
  body: string;
}

export const FIXTURE_DIR = join(SIDECAR_DIR, 'test/fixtures/ollama');

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Fixture;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

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
