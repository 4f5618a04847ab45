/**
 * Collect hooks for the export's metrics (`ollama_otel_spans_*`), read at every scrape from the
 * export's own counts. Without export (off) the counters read 0.
 */
import { OTEL_DROP_REASONS } from '../metrics/contract';
import type { CollectHooks } from '../metrics/metrics';
import type { OtelExportStats } from './export-client';

type OtelHooks = Required<Pick<CollectHooks, 'otelExported' | 'otelDropped'>>;

export function otelHooks(provider: (() => OtelExportStats) | undefined): OtelHooks {
  // The export's counts are monotonic; a counter mirrors them by being reset to the current total.
  return {
    otelExported: (c) => {
      c.reset();
      c.inc(provider?.().exported ?? 0);
    },
    otelDropped: (c) => {
      c.reset();
      const stats = provider?.();
      for (const reason of OTEL_DROP_REASONS) c.inc({ reason }, stats?.dropped[reason] ?? 0);
    },
  };
}
