import type { Dense } from '../sketch';

/**
 * The latency sketches (../sketch.ts) as PostgreSQL keeps them: an integer[] of (bucket, count)
 * pairs, ascending by bucket, zero counts left out: the same content as SQLite's BLOB, in a type
 * SQL can merge (schema.ts sketch_merge, sketch_sum).
 */

/** SQLite's encoding (uint16 bucket, int32 count, little endian) → the pairs array. */
export function pairsOfBlob(blob: Uint8Array): number[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: number[] = [];
  for (let o = 0; o + 6 <= blob.byteLength; o += 6)
    out.push(view.getUint16(o, true), view.getInt32(o + 2, true));
  return out;
}

/** Adds a pairs array into a dense histogram (the read side's merge). */
export function addPairsInto(acc: Dense, pairs: readonly number[] | null): void {
  if (!pairs) return;
  for (let i = 0; i + 1 < pairs.length; i += 2) acc[pairs[i]] += pairs[i + 1];
}
