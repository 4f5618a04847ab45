/**
 * Helpers for the store's tests: a real MessageStore on a temporary file, filled through the same
 * path the writer uses (prepareRow + insert). Used by src/store/*.test.ts, test/store/*.test.ts and the benchmark.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MeasurementRecord } from '../../src/tap/record';
import { prepareRow, type RowOptions } from '../../src/store/row';
import { MessageStore } from '../../src/store/store';
import { MEASURE_SQL, ROLLUPS } from '../../src/store/measures';
import { merge } from '../../src/store/sketch';

export interface TempStore {
  store: MessageStore;
  file: string;
  dir: string;
  add(records: readonly MeasurementRecord[], opts?: Partial<RowOptions>): void;
  /** Every byte the database has on disk (main file and WAL), for "is this text anywhere?" checks. */
  rawBytes(): Buffer;
  cleanup(): void;
}

export function tempStore(prefix = 'ollama-lens-store-'): TempStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'messages.db');
  const store = new MessageStore(file);
  return {
    store,
    file,
    dir,
    add(records, opts = {}) {
      const rowOpts: RowOptions = { captureContent: true, ...opts };
      store.insert(records.map((r) => prepareRow(r, rowOpts)));
    },
    rawBytes() {
      return Buffer.concat(
        fs
          .readdirSync(dir)
          .filter((f) => f.startsWith('messages.db'))
          .map((f) => fs.readFileSync(path.join(dir, f)))
      );
    },
    cleanup() {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every rollup table recomputed from the messages themselves and compared with what the store kept
 * (measures exactly, cost and duration sums to 1e-6, latency sketches bucket by bucket). Returns the
 * differences, one line each: [] when the rollups are consistent.
 */
export function rollupMismatches(store: MessageStore): string[] {
  const out: string[] = [];
  // Canonical form: ascending buckets, no zero counts.
  const decode = (b: Uint8Array | null) => merge(b, null).toString('hex');
  for (const { table, slice, tier } of ROLLUPS) {
    const q = (d: string) => (d === 'user' ? '"user"' : d);
    const key = (r: Record<string, unknown>) => [r.t, ...slice.dims.map((d) => r[d])].join('|');
    const cols = [
      `(m.started_at / ${tier.ms}) * ${tier.ms} AS t`,
      ...slice.dims.map((d) => `coalesce(m.${q(d)}, '') AS ${q(d)}`),
      ...slice.measures.map((m) => `${MEASURE_SQL[m]} AS ${m}`),
      ...(slice.sketch ? ['sketch_of(m.duration_ms) AS sketch'] : []),
    ];
    const want = store.db
      .prepare(
        `SELECT ${cols.join(', ')} FROM messages m GROUP BY ${cols
          .map((_, i) => i + 1)
          .slice(0, 1 + slice.dims.length)
          .join(', ')}`
      )
      .all() as Record<string, unknown>[];
    const got = new Map(
      (store.db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]).map((r) => [key(r), r])
    );
    if (got.size !== want.length) out.push(`${table}: ${got.size} rows, ${want.length} expected`);
    for (const w of want) {
      const g = got.get(key(w));
      if (!g) {
        out.push(`${table} ${key(w)}: missing`);
        continue;
      }
      for (const m of slice.measures) {
        const ok =
          m === 'cost' || m === 'dur_sum'
            ? Math.abs((g[m] as number) - (w[m] as number)) <= 1e-6 * Math.max(1, Math.abs(w[m] as number))
            : g[m] === w[m];
        if (!ok) out.push(`${table} ${key(w)} ${m}: ${String(g[m])} ≠ ${String(w[m])}`);
      }
      if (slice.sketch && decode(g.sketch as Uint8Array) !== decode(w.sketch as Uint8Array)) {
        out.push(`${table} ${key(w)}: sketch differs`);
      }
    }
  }
  return out;
}
