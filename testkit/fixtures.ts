/**
 * Fixture loading: what was recorded from the real Ollama and the real sidecar, kept in
 * sidecar/test/fixtures/: Ollama's raw responses (ollama/<name>.json, by record-fixtures.ts) and the
 * analytics API's answers about recorded traffic (messages/<name>.json, by record-queued-pair.ts).
 * Without imports from the sidecar's sources, so the plugin's tests can load them too; replay.ts feeds
 * the Ollama responses through the sidecar's tap.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FIXTURES = join(dirname(require.resolve('@ollama-lens/sidecar/package.json')), 'test/fixtures');

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

export const FIXTURE_DIR = join(FIXTURES, 'ollama');

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Fixture;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Analytics API answers recorded from a real sidecar in front of the real Ollama. */
export const MESSAGE_FIXTURE_DIR = join(FIXTURES, 'messages');

/** A recorded analytics API answer (messages/<name>.json), parsed; T is its shape (a contracts type). */
export function loadMessageFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(MESSAGE_FIXTURE_DIR, `${name}.json`), 'utf8')) as T;
}
