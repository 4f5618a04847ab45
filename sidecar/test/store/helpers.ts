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
      const rowOpts: RowOptions = { captureContent: true, prices: {}, ...opts };
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
