/**
 * What the message store reports about itself, read when /metrics is scraped. The store (sidecar/src/store)
 * provides it through `Services.storeStats`; the metrics module only reads it, so neither depends on the
 * other's internals.
 */
import { STORE_DROP_REASONS, type StoreDropReason } from './contract';
import type { CollectHooks } from './metrics';

export interface StoreStats {
  /** Records written since start (monotonic). */
  written: number;
  /** Records dropped since start, by reason (monotonic). */
  dropped: Record<StoreDropReason, number>;
  /** Records waiting in the write queue now. */
  queueDepth: number;
}

export type StoreStatsProvider = () => StoreStats;

type StoreHooks = Required<Pick<CollectHooks, 'storeWritten' | 'storeDropped' | 'storeQueueDepth'>>;

function count(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Collect hooks for the store metrics. `provider` is looked up at every scrape because the store plugin
 * registers after the metrics plugin. Without a store (disabled) the counters read 0.
 */
export function storeHooks(provider: () => StoreStatsProvider | undefined): StoreHooks {
  // The store's counts are monotonic; a counter mirrors them by being reset to the current total.
  const read = (): StoreStats | undefined => provider()?.();
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
  };
}
