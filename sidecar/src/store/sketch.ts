import type Database from 'better-sqlite3';

/**
 * Mergeable latency histograms with log-spaced buckets (the logarithmic index mapping of DDSketch):
 * bucket i > 0 holds the durations in (MIN_MS·γ^(i-1), MIN_MS·γ^i], with γ = (1+α)/(1-α), and
 * reports the value 2·MIN_MS·γ^i/(γ+1). Every value in a bucket is within a relative error α of
 * that representative, so a nearest-rank percentile read from a merged histogram is within α of
 * the exact nearest-rank percentile of the same messages.
 *
 *   α = 2 %: percentiles are within 2 % relative error for durations from MIN_MS (0.01 ms) up to
 *   MAX_MS (10^9 ms, about 11.6 days); shorter durations read as 0, longer ones as MAX_MS.
 *
 * Histograms merge by adding counts bucket by bucket, so the rollups (store.ts) keep one per period
 * of every tier and any window's percentiles are a merge of a few of them. Stored as a BLOB of
 * (uint16 bucket, int32 count) pairs, little endian, ascending by bucket, zero counts left out
 * (a minute of traffic touches a few dozen buckets, so sparse is a fraction of dense).
 */

export const RELATIVE_ERROR = 0.02;
export const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
export const MIN_MS = 0.01;
export const MAX_MS = 1e9;
/** Bucket 0 holds everything ≤ MIN_MS; the last bucket everything above its lower edge. */
export const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GAMMA) + 1;
const PAIR_BYTES = 6;

export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0; // also NaN and negatives: never an invalid index
  return Math.min(BUCKETS - 1, Math.max(1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GAMMA)));
}

/** The value a bucket reports: within RELATIVE_ERROR of every value it holds (bucket 0 reads 0). */
export function valueOf(bucket: number): number {
  return bucket === 0 ? 0 : (2 * MIN_MS * GAMMA ** bucket) / (GAMMA + 1);
}

/** A dense histogram being built or merged (counts per bucket). */
export type Dense = Float64Array;

export const newDense = (): Dense => new Float64Array(BUCKETS);

/** Adds an encoded histogram into a dense one (sign -1 subtracts). */
export function addInto(acc: Dense, blob: Uint8Array | null | undefined, sign = 1): void {
  if (!blob) return;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let o = 0; o + PAIR_BYTES <= blob.byteLength; o += PAIR_BYTES) {
    acc[view.getUint16(o, true)] += sign * view.getInt32(o + 2, true);
  }
}

export function encode(acc: Dense): Buffer {
  let n = 0;
  for (let i = 0; i < acc.length; i++) if (acc[i] !== 0) n++;
  const out = Buffer.allocUnsafe(n * PAIR_BYTES);
  let o = 0;
  for (let i = 0; i < acc.length; i++) {
    if (acc[i] === 0) continue;
    out.writeUInt16LE(i, o);
    out.writeInt32LE(acc[i], o + 2);
    o += PAIR_BYTES;
  }
  return out;
}

/** A small sparse builder for the insert path (a batch touches few buckets per key). */
export class SparseSketch {
  private readonly counts = new Map<number, number>();
  add(ms: number, n = 1): void {
    const b = bucketOf(ms);
    this.counts.set(b, (this.counts.get(b) ?? 0) + n);
  }
  encode(): Buffer {
    const keys = [...this.counts.keys()].filter((k) => this.counts.get(k) !== 0).sort((a, b) => a - b);
    const out = Buffer.allocUnsafe(keys.length * PAIR_BYTES);
    keys.forEach((k, j) => {
      out.writeUInt16LE(k, j * PAIR_BYTES);
      out.writeInt32LE(this.counts.get(k) as number, j * PAIR_BYTES + 2);
    });
    return out;
  }
}

/**
 * Merges two encoded histograms (sign -1 subtracts the second): one pass over both, as each is
 * sorted by bucket (the rollups' upsert runs this for every key of every batch).
 */
export function merge(a: Uint8Array | null, b: Uint8Array | null, sign = 1): Buffer {
  const av = a ? new DataView(a.buffer, a.byteOffset, a.byteLength) : null;
  const bv = b ? new DataView(b.buffer, b.byteOffset, b.byteLength) : null;
  const an = a ? a.byteLength - (a.byteLength % PAIR_BYTES) : 0;
  const bn = b ? b.byteLength - (b.byteLength % PAIR_BYTES) : 0;
  const out = Buffer.allocUnsafe(an + bn);
  let i = 0;
  let j = 0;
  let o = 0;
  const put = (k: number, c: number) => {
    if (c === 0) return;
    out.writeUInt16LE(k, o);
    out.writeInt32LE(c, o + 2);
    o += PAIR_BYTES;
  };
  while (i < an || j < bn) {
    const ka = i < an ? av!.getUint16(i, true) : Infinity;
    const kb = j < bn ? bv!.getUint16(j, true) : Infinity;
    if (ka < kb) {
      put(ka, av!.getInt32(i + 2, true));
      i += PAIR_BYTES;
    } else if (kb < ka) {
      put(kb, sign * bv!.getInt32(j + 2, true));
      j += PAIR_BYTES;
    } else {
      put(ka, av!.getInt32(i + 2, true) + sign * bv!.getInt32(j + 2, true));
      i += PAIR_BYTES;
      j += PAIR_BYTES;
    }
  }
  return out.subarray(0, o);
}

/**
 * Nearest-rank percentiles (p in (0, 1]) of a dense histogram, in one pass; null when it is empty.
 * Each is within RELATIVE_ERROR of the exact nearest-rank percentile of the same values.
 */
export function quantiles(acc: Dense, ps: readonly number[]): (number | null)[] {
  let total = 0;
  for (let i = 0; i < acc.length; i++) total += acc[i];
  if (!(total > 0)) return ps.map(() => null);
  const ranks = ps.map((p) => Math.max(1, Math.ceil(p * total)));
  const out: (number | null)[] = ps.map(() => null);
  let seen = 0;
  let next = 0;
  const order = ranks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < acc.length && next < order.length; i++) {
    seen += acc[i];
    while (next < order.length && seen >= order[next][0]) out[order[next++][1]] = valueOf(i);
  }
  return out;
}

/**
 * SQL functions over encoded histograms, registered on every connection that reads or writes the
 * rollups (the migration's backfill, the writer's retention, the readers' edge reads):
 *   sketch_of(duration_ms)   aggregate: the histogram of a group of messages
 *   sketch_sum(sketch)       aggregate: the merge of a group of histograms
 *   sketch_merge(a, b)       scalar: a + b (the rollups' upsert)
 *   sketch_negate(a)         scalar: -a (what retention subtracts)
 */
export function registerSketchFunctions(db: Database.Database): void {
  // (The typings tie step's argument to the accumulator's type; here they differ, hence `unknown`.)
  db.aggregate<unknown>('sketch_of', {
    start: () => new SparseSketch(),
    step: (acc, ms) => {
      if (typeof ms === 'number') (acc as SparseSketch).add(ms);
    },
    result: (acc) => (acc as SparseSketch).encode(),
    deterministic: true,
  });
  db.aggregate<unknown>('sketch_sum', {
    start: () => newDense(),
    step: (acc, blob) => addInto(acc as Dense, blob as Uint8Array | null),
    result: (acc) => encode(acc as Dense),
    deterministic: true,
  });
  db.function('sketch_merge', { deterministic: true }, (a: unknown, b: unknown) =>
    merge(a as Uint8Array | null, b as Uint8Array | null)
  );
  db.function('sketch_negate', { deterministic: true }, (a: unknown) =>
    merge(null, a as Uint8Array | null, -1)
  );
}
