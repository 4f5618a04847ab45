/**
 * The store shape users hit on a busy day: N messages (default 1M) spread over the last `spanMs`
 * (default 24 h, the Explorer's default window), written through the real record path (row
 * preparation, classification, FTS, rollups), with a share of long prompts. Shared by the proxy,
 * store and browser benchmarks.
 *
 * Generated once and reused while fresh: a day generated more than `maxAgeMs` ago has hours outside
 * "the last 24 h" by now, so it is rebuilt (BENCH_DB_KEEP=1 reuses it anyway).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareRow, type RowOptions } from '../sidecar/src/store/row';
import { MessageStore } from '../sidecar/src/store/store';
import { RecordFactory } from '@ollama-lens/testkit/records';

export const DAY_MS = 86_400_000;
const ROW_OPTS: RowOptions = { captureContent: true };
/** The records' cost is derived with these prices (--prices), as the tap does. */
const PRICES = { '*': { input: 0.15, output: 0.6 } };

export interface BusyDayOptions {
  messages?: number;
  spanMs?: number;
  /** Share of chat/generate requests with a long pasted document or a multi-turn history. */
  longPrompts?: number;
  /** Where the file lives (default: ~/.cache/ollama-lens/bench). */
  file?: string;
  maxAgeMs?: number;
}

export interface BusyDay {
  file: string;
  messages: number;
  /** The window the messages fall in (epoch ms). */
  from: number;
  to: number;
  note: string;
}

export function busyDayStore(opts: BusyDayOptions = {}): BusyDay {
  const messages = opts.messages ?? 1_000_000;
  const spanMs = opts.spanMs ?? DAY_MS;
  const longPrompts = opts.longPrompts ?? 0.2;
  const dir = path.join(
    process.env.OLLAMA_LENS_TOOLS ?? path.join(os.homedir(), '.cache', 'ollama-lens'),
    'bench'
  );
  const file = opts.file ?? path.join(dir, `busy-${messages}-${Math.round(spanMs / 3600_000)}h.db`);
  const maxAgeMs = opts.maxAgeMs ?? 2 * 3600_000;
  if (fs.existsSync(file)) {
    const s = new MessageStore(file);
    const n = s.count();
    const oldest = (s.db.prepare('SELECT min(started_at) FROM messages').pluck().get() as number | null) ?? 0;
    s.close();
    // Benchmarks may have added their own traffic since (n grows); what matters is that the generated
    // day is still (nearly) inside the last 24 h.
    const generatedAt = oldest + spanMs;
    if (n >= messages && (Date.now() - generatedAt < maxAgeMs || process.env.BENCH_DB_KEEP === '1'))
      return { file, messages, from: oldest, to: generatedAt + 1, note: `reused ${file}` };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const store = new MessageStore(file);
  const to = Date.now();
  const factory = new RecordFactory({
    prices: PRICES,
    seed: 2026,
    from: to - spanMs,
    to,
    users: 2000,
    maxChunks: 200,
    longPrompts,
    ordered: { count: messages },
  });
  const t0 = performance.now();
  for (let done = 0; done < messages;) {
    const n = Math.min(1000, messages - done);
    store.insert(Array.from({ length: n }, () => prepareRow(factory.next(), ROW_OPTS)));
    done += n;
    if (done % 100_000 === 0) process.stderr.write(`  busy day: ${done.toLocaleString('en-US')} messages\n`);
  }
  store.optimize();
  store.close();
  const s = (performance.now() - t0) / 1000;
  return {
    file,
    messages,
    from: to - spanMs,
    to: to + 1,
    note: `built ${file} in ${s.toFixed(0)} s (${Math.round(messages / s).toLocaleString('en-US')} messages/s through the record path)`,
  };
}
