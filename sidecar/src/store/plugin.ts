import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';
import { Redactor } from './redact';
import { Retention } from './retention';
import { MessageStore } from './store';
import { StoreWriter } from './writer';

/** What the store plugin built, for the analytics plugin and for tests that need the real store. */
export interface StoreHandle {
  /** null when the database could not be opened (the sidecar still proxies; analytics answers 503). */
  store: MessageStore | null;
  writer: StoreWriter;
  retention: Retention | null;
  openError?: string;
}

// Keyed by the Services object, so the store plugin and the analytics plugin (registered separately,
// each in its own encapsulated context) find the same store without widening Services.
const handles = new WeakMap<Services, StoreHandle>();

export function storeOf(services: Services): StoreHandle | undefined {
  return handles.get(services);
}

/** Logs store write failures at most this often (a full disk would otherwise log every batch). */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Opens the message store, adds its writer to the tap, reports its stats and readiness, runs
 * retention in the background, and flushes everything on close. A store that cannot be opened is
 * logged and reported by /readyz; it never stops the proxy.
 */
export async function storePlugin(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  if (!config.storeEnabled) {
    services.readiness.push({ name: 'store', check: async () => ({ ok: true, detail: { enabled: false } }) });
    return;
  }

  let store: MessageStore | null = null;
  let openError: string | undefined;
  try {
    store = new MessageStore(config.dbPath);
  } catch (err) {
    openError = (err as Error).message;
    app.log.error({ err, dbPath: config.dbPath }, 'message store unavailable; proxying continues without it');
  }

  let lastLog = 0;
  let unlogged = 0;
  const writer = new StoreWriter(store, {
    queueSize: config.queueSize,
    batchMs: config.batchMs,
    // Transactions run on the event loop: a small batch per turn bounds the pause any request can see.
    batchSize: 100,
    captureContent: config.captureContent,
    redactor: config.redact ? new Redactor(config.redactPatterns) : undefined,
    prices: config.prices,
    onError(err, dropped) {
      unlogged += dropped;
      const now = Date.now();
      if (now - lastLog < ERROR_LOG_INTERVAL_MS) return;
      app.log.error(
        { err, dropped: unlogged },
        'message store write failed; records dropped, requests unaffected'
      );
      lastLog = now;
      unlogged = 0;
    },
  });
  if (openError) writer.lastError = { message: openError, at: Date.now() };

  const retention = store
    ? new Retention(store, {
        retentionDays: config.retentionDays,
        maxDbMb: config.maxDbMb,
        onError: (err) => app.log.error({ err }, 'retention pass failed'),
        onDeleted: (deleted, reason) => app.log.info({ deleted, reason }, 'retention deleted old messages'),
      })
    : null;
  retention?.start();
  // The planner's statistics follow the data as it grows (hourly; cheap when little changed).
  const maintenance = store ? setInterval(() => store?.optimize(), 3600_000) : undefined;
  maintenance?.unref();

  services.tap.addSink(writer);
  services.storeStats = () => writer.stats;
  handles.set(services, { store, writer, retention, openError });

  services.readiness.push({
    name: 'store',
    async check() {
      const detail = {
        path: config.dbPath,
        queue_depth: writer.stats.queueDepth,
        written: writer.stats.written,
        dropped: writer.stats.dropped,
      };
      if (!store || !store.isOpen)
        return { ok: false, detail: { ...detail, error: openError ?? 'store closed' } };
      try {
        store.ping();
      } catch (err) {
        return { ok: false, detail: { ...detail, error: (err as Error).message } };
      }
      if (writer.lastError)
        return {
          ok: false,
          detail: { ...detail, error: writer.lastError.message, since: writer.lastError.at },
        };
      return { ok: true, detail };
    },
  });

  // onClose hooks run after the server has stopped and in-flight requests have finished, so every
  // record has reached the writer by now; the tap's own close() then finds it already closed.
  app.addHook('onClose', async () => {
    if (maintenance) clearInterval(maintenance);
    await retention?.stop();
    await writer.close();
    store?.close();
  });
}
