import { Registry } from 'prom-client';
import { parseExposition, value } from '../../test/metrics/exposition-reader';
import { renderMetrics } from './exposition';
import { createMetrics } from './metrics';
import { storeHooks, type StoreStats, type StoreStatsProvider } from './store-stats';

describe('store metrics', () => {
  it('mirror the store stats at every scrape, and read 0 without a store', async () => {
    const without = new Registry();
    createMetrics(without, { userLabel: false, collect: storeHooks(undefined) });
    let exp = parseExposition(await renderMetrics(without, 'prometheus'));
    expect(value(exp, 'ollama_store_written_total')).toBe(0);
    expect(value(exp, 'ollama_store_dropped_total', { reason: 'queue_full' })).toBe(0);
    expect(value(exp, 'ollama_store_dropped_total', { reason: 'store_error' })).toBe(0);
    expect(value(exp, 'ollama_store_queue_depth')).toBe(0);

    const stats: StoreStats = {
      written: 120,
      dropped: { queue_full: 3, store_error: 1 },
      queueDepth: 17,
      threadRestarts: [{ thread: 'reader', reason: 'timeout', count: 2 }],
    };
    const provider: StoreStatsProvider = () => stats;
    const registry = new Registry();
    createMetrics(registry, { userLabel: false, collect: storeHooks(provider) });
    const scrape = async () => parseExposition(await renderMetrics(registry, 'prometheus'));
    exp = await scrape();
    expect(value(exp, 'ollama_store_thread_restarts_total', { thread: 'reader', reason: 'timeout' })).toBe(2);
    expect(value(exp, 'ollama_store_written_total')).toBe(120);
    expect(value(exp, 'ollama_store_dropped_total', { reason: 'queue_full' })).toBe(3);
    expect(value(exp, 'ollama_store_dropped_total', { reason: 'store_error' })).toBe(1);
    expect(value(exp, 'ollama_store_queue_depth')).toBe(17);

    stats.written = 130;
    stats.queueDepth = 0;
    exp = await scrape();
    expect(value(exp, 'ollama_store_written_total')).toBe(130);
    expect(value(exp, 'ollama_store_queue_depth')).toBe(0);
  });

  it('a provider that throws costs only its own metrics', async () => {
    const failures: string[] = [];
    const registry = new Registry();
    createMetrics(registry, {
      userLabel: false,
      collect: storeHooks(() => {
        throw new Error('store closed');
      }),
      onCollectError: (metric) => failures.push(metric),
    });
    const exp = parseExposition(await renderMetrics(registry, 'prometheus'));
    expect(failures.sort()).toEqual([
      'ollama_store_dropped_total',
      'ollama_store_queue_depth',
      'ollama_store_thread_restarts_total',
      'ollama_store_written_total',
    ]);
    expect(exp.families.has('ollama_requests_total')).toBe(true);
  });
});
