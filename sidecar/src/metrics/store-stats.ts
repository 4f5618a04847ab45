/**
 * What the message store reports about itself, read when /metrics is scraped. The store (sidecar/src/store)
 * provides it (app.ts hands `StoreThreads.stats` to the metrics plugin); the metrics module only reads it, so neither depends on the
 * other's internals.
 */
import {
  STORE_DROP_REASONS,
  type StoreDropReason,
  type StoreThreadName,
  type StoreThreadRestartReason,
} from './contract';
import type { CollectHooks } from './metrics';

export interface StoreStats {
  /** Records written since start (monotonic). */
  written: number;
  /** Records dropped since start, by reason (monotonic). */
  dropped: Record<StoreDropReason, number>;
  /** Records waiting in the write queue now. */
  queueDepth: number;
  /** Store threads replaced since start, by thread and reason (monotonic). */
  threadRestarts?: { thread: StoreThreadName; reason: StoreThreadRestartReason; count: number }[];
}

export type StoreStatsProvider = () => StoreStats;

type StoreHooks = Required<
  Pick<CollectHooks, 'storeWritten' | 'storeDropped' | 'storeQueueDepth' | 'storeThreadRestarts'>
>;

function count(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Collect hooks for the store metrics, read at every scrape. Without a store (disabled, or no
 * provider) the counters read 0.
 */
export function storeHooks(provider: StoreStatsProvider | undefined): StoreHooks {
  // The store's counts are monotonic; a counter mirrors them by being reset to the current total.
  const read = (): StoreStats | undefined => provider?.();
  return {
    storeWritten: (c) => {
      c.reset();
      c.inc(count(read()?.written));
    },
    storeDropped: (c) => {
      c.reset();
      const stats = read();
      for (const reason of STORE_DROP_REASONS) c.inc({ reason }, count(stats?.dropped[reason]));
    },
    storeQueueDepth: (g) => {
      g.set(count(read()?.queueDepth));
    },
    storeThreadRestarts: (c) => {
      c.reset();
      for (const r of read()?.threadRestarts ?? [])
        c.inc({ thread: r.thread, reason: r.reason }, count(r.count));
    },
  };
}
