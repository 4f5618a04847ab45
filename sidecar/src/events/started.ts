/**
 * The sidecar_started event: the settings that explain the sidecar's behaviour (never a secret, a URL
 * or a path), and which of them changed since the previous start — a configuration change is one of
 * the things that explain a chart.
 */
import type { EventDetail } from '@ollama-lens/contracts';
import type { Config } from '../config';
import type { StoreThreads } from '../store/threads/store-threads';

export function settingsOf(config: Config): Record<string, EventDetail> {
  return {
    metrics: config.metricsEnabled,
    store: config.storeEnabled,
    capture_content: config.captureContent,
    redact: config.redact,
    retention_days: config.retentionDays,
    max_db_mb: config.maxDbMb,
    ollama_num_parallel: config.ollamaNumParallel,
    user_label: config.userLabel,
    otlp: config.otlpEndpoint !== '',
    status_model: config.statusModel || null,
    query_workers: config.queryWorkers,
  };
}

/** The names of the settings whose value differs from the previous start's (none on a first start). */
export function changedSettings(
  previous: Record<string, EventDetail> | undefined,
  now: Record<string, EventDetail>
): string[] {
  if (!previous) return [];
  return Object.keys(now).filter((k) => k in previous && previous[k] !== now[k]);
}

/** This start's details, compared with the last start the store remembers. */
export async function startDetails(
  config: Config,
  store: StoreThreads
): Promise<Record<string, EventDetail>> {
  const settings = settingsOf(config);
  let previous: Record<string, EventDetail> | undefined;
  try {
    await store.whenReady();
    const page = await store.readers.query('events', {
      from: 0,
      to: Date.now() + 1,
      types: ['sidecar_started'],
      limit: 1,
    });
    previous = page.events[0]?.details;
  } catch {
    // A store that cannot be read only loses the comparison.
  }
  const changed = changedSettings(previous, settings);
  return { ...settings, changed: changed.length > 0 ? changed.join(', ') : null };
}
