/**
 * The writer thread: owns the store's one write connection. It receives records from the proxy's
 * thread as transferred JSON buffers and does everything the proxy must not wait for: row preparation,
 * classification, redaction, FTS indexing, batched transactions, retention and statistics upkeep.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPostgresUrl } from '../postgres/url';
import { pgWriterMain } from '../postgres/writer-main';
import { Retention } from '../retention';
import { MessageStore } from '../store';
import { StoreWriter } from '../writer';
import type { FromWriter, ToWriter, WriterCommand, WriterInit } from './protocol';
import { toThreadError } from './thread-error';
import { reportStats, writerOptions, writerThreadStats } from './writer-common';

const OPTIMIZE_INTERVAL_MS = 3600_000;

function main(port: NonNullable<typeof parentPort>, init: WriterInit): void {
  const send = (m: FromWriter) => port.postMessage(m);
  let store: MessageStore | null = null;
  let openError: string | undefined;
  try {
    store = new MessageStore(init.dbPath);
  } catch (err) {
    openError = (err as Error).message;
  }

  const writer = new StoreWriter(store, writerOptions(init, send, toThreadError));
  if (openError) writer.lastError = { message: openError, at: Date.now() };

  let received = 0;
  const stats = () => writerThreadStats(received, writer);
  const report = reportStats(send, stats, init.statsIntervalMs);

  const retention = store
    ? new Retention(store, {
        retentionDays: init.retentionDays,
        maxDbMb: init.maxDbMb,
        onError: (err) =>
          send({ type: 'log', level: 'error', msg: 'retention pass failed', err: toThreadError(err) }),
        onDeleted: (deleted, reason) =>
          send({
            type: 'log',
            level: 'info',
            msg: 'retention deleted old messages',
            fields: { deleted, reason },
          }),
      })
    : null;
  retention?.start();
  // The planner's statistics follow the data as it grows (hourly; cheap when little changed).
  const maintenance = setInterval(() => store?.optimize(), OPTIMIZE_INTERVAL_MS);
  maintenance.unref();

  async function run(command: WriterCommand): Promise<number | boolean> {
    if (command.op === 'flush') {
      writer.flush();
      send({ type: 'stats', stats: stats() });
      return true;
    }
    if (!store || !store.isOpen)
      throw new Error(`the message store is unavailable: ${openError ?? 'closed'}`);
    // Data management sees every record the proxy handed over before it.
    writer.flush();
    switch (command.op) {
      case 'deleteBefore':
        return store.deleteBefore(command.before);
      case 'deleteAll':
        return store.deleteAll();
      case 'deleteById':
        return store.deleteById(command.id);
      case 'ping':
        store.ping();
        return true;
    }
    return false;
  }

  port.on('message', (m: ToWriter) => {
    switch (m.type) {
      case 'records':
        received += m.records.length;
        for (const record of m.records) writer.record(record);
        return;
      case 'events':
        try {
          store?.writeEvents(m.events);
        } catch (err) {
          send({ type: 'log', level: 'warn', msg: 'events could not be stored', err: toThreadError(err) });
        }
        return;
      case 'command':
        run(m.command).then(
          (result) => send({ type: 'reply', id: m.id, result }),
          (err: unknown) => send({ type: 'reply', id: m.id, error: toThreadError(err) })
        );
        return;
      case 'close':
        void (async () => {
          clearInterval(report);
          clearInterval(maintenance);
          await retention?.stop();
          await writer.close();
          store?.close();
          send({ type: 'closed', stats: stats() });
          port.close();
        })();
        return;
    }
  });
  send(openError ? { type: 'open_failed', message: openError } : { type: 'ready' });
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === 'writer') {
  const init = workerData as WriterInit;
  // A postgres:// URL selects the PostgreSQL store; anything else is a SQLite file.
  if (isPostgresUrl(init.dbPath)) pgWriterMain(parentPort, init);
  else main(parentPort, init);
}
