/**
 * The contract suite's data: one deterministic set of records (several days, models, endpoints,
 * statuses, users, sessions, prompts with accents and phrases) and what a few filters must find in
 * it, computed here from the records themselves (the absolute expectations beside "PostgreSQL answers
 * as SQLite does").
 */
import { mulberry32 } from '@ollama-lens/testkit/random';
import { recordOf } from '@ollama-lens/testkit/records';
import type { MeasurementRecord } from '../../../src/tap/record';
import type { ErrorType } from '@ollama-lens/contracts';

/** A UTC midnight, so the seed's days are partitions and its edges are mid-period. */
export const T0 = Date.UTC(2026, 8, 20);
export const DAY = 86_400_000;
/** More than aggregate.ts SCATTER_MAX in the whole window, so the scatter probes are compared too. */
export const SEED_COUNT = 720;

const MODELS = ['tiny', 'llama3.2:1b', 'qwen2.5:0.5b', undefined] as const;
const ENDPOINTS = ['/api/generate', '/api/chat', '/v1/chat/completions', '/api/embed'] as const;
const USERS = ['ana', 'bo', 'chen', 'dita', undefined] as const;
const SESSIONS = ['s-1', 's-2', undefined, undefined] as const;
const PROMPTS = [
  'Summarize this article about the café in New York',
  'Translate to French: the naïve cat sleeps',
  'Write a Python function that sorts a list',
  'Hello there, how are you today?',
  'Analyze the quarterly numbers and explain the trend',
  'New and York are two words; York is old',
  'Plain question about python generators and pythonic style',
];
const ANSWERS = ['Sure, here it is.', 'The Café is closed.', 'def sort(xs): return sorted(xs)', 'Bonjour!'];

export interface Seeded {
  records: MeasurementRecord[];
  /** How many of the records each prompt index was used for. */
  promptCounts: number[];
}

/** The seed: SEED_COUNT records over three days and a bit, in time order. */
export function seedRecords(): Seeded {
  const rand = mulberry32(16);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const promptCounts = PROMPTS.map(() => 0);
  const times = Array.from({ length: SEED_COUNT }, () => T0 + Math.floor(rand() * 3.3 * DAY)).sort(
    (a, b) => a - b
  );
  const records = times.map((started_at, i) => {
    const p = Math.floor(rand() * PROMPTS.length);
    promptCounts[p]++;
    const roll = rand();
    const status = roll < 0.8 ? 'success' : roll < 0.9 ? 'error' : roll < 0.95 ? 'timeout' : 'cancelled';
    const errorType: ErrorType | undefined =
      status === 'error' ? 'upstream_error' : status === 'timeout' ? 'timeout' : undefined;
    const tokens = rand() < 0.85;
    const endpoint = pick(ENDPOINTS);
    // Log-uniform from 2 ms to 2 minutes: every latency bin and many sketch buckets.
    const duration = Math.round(2 * Math.exp(rand() * Math.log(60_000)) * 1000) / 1000;
    return recordOf({
      id: `contract-${i}`,
      started_at,
      duration_ms: duration,
      // Whole milliseconds, as the tap records it (tap/exchange.ts).
      ended_at: started_at + Math.round(duration),
      endpoint,
      requested_model: pick(MODELS),
      user: pick(USERS),
      session: pick(SESSIONS),
      status,
      http_status: status === 'success' ? 200 : status === 'cancelled' ? 499 : 502,
      error_type: errorType,
      error_message: errorType ? `failed: ${errorType}` : undefined,
      input_tokens: tokens ? 5 + Math.floor(rand() * 500) : undefined,
      output_tokens: tokens ? Math.floor(rand() * 900) : undefined,
      prompt: { prompt: PROMPTS[p] },
      response: { content: pick(ANSWERS) },
    });
  });
  return { records, promptCounts };
}

/** Search inputs: ordinary, phrase, prefix, accents, and hostile ones that must match nothing or stay plain text. */
export const SEARCHES = [
  'python',
  'pyth*',
  'PYTHON sorts',
  'cafe',
  'Café',
  '"new york"',
  '"york new"',
  'naive',
  'nothingmatchesthis',
  '"',
  '***',
  '-- ; DROP TABLE messages; --',
  "' OR 1=1 --",
  'python & !cafe',
  'new <-> york',
  'york:*',
  'NEAR(python sorts)',
  'python OR cafe',
  '\\',
  '🙂',
];
