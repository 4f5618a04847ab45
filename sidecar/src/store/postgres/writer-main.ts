/**
 * The writer thread's body for a PostgreSQL store (writer-thread.ts picks it for a postgres:// URL):
 * the same messages in and out as the SQLite writer, so the proxy's thread cannot tell them apart.
 * The database being away at start is not fatal: the thread reports ready, counts the records it
 * cannot write as drops, and writes again as soon as the database answers.
 */
import type { MessagePort } from 'node:worker_threads';
import type { FromWriter, ToWriter, WriterCommand, WriterInit } from '../threads/protocol';
import { reportStats, writerOptions, writerThreadStats } from '../threads/writer-common';
import { toPgThreadError as toThreadError } from './errors';
import { CONNECT_TIMEOUT_MS } from './pool';
import { DAY_MS, PgStore } from './store';
import { PgWriter } from './writer';

/** Retention and partition upkeep run this often. */
const UPKEEP_INTERVAL_MS = 60_000;
/** The writer's statements (a batch with its rollups, a day's drop) may take this long. */
const WRITE_TIMEOUT_MS = 30_000;

export function pgWriterMain(port: MessagePort, init: WriterInit): void {
  const send = (m: FromWriter) => port.postMessage(m);
  const store = new PgStore({
    url: init.dbPath,
    max: 2,
    statementTimeoutMs: WRITE_TIMEOUT_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  const writer = new PgWriter(store, writerOptions(init, send, toThreadError));

  let received = 0;
  const stats = () => writerThreadStats(received, writer);
  const report = reportStats(send, stats, init.statsIntervalMs);

  /** Today's and tomorrow's partitions ahead of need, and retention (by age and by size) in whole days. */
  const upkeep = async () => {
    try {
      await store.ready();
      await store.ensurePartitions([Date.now()]);
      if (init.retentionDays > 0) {
        const cutoff = Date.now() - init.retentionDays * DAY_MS;
        await store.deleteEventsBefore(cutoff);
        const n = await store.dropDaysBefore(Math.floor(cutoff / DAY_MS) * DAY_MS);
        if (n > 0) {
          send({
            type: 'log',
            level: 'info',
            msg: 'retention deleted old messages',
            fields: { deleted: n, reason: 'age' },
          });
        }
      }
      if (init.maxDbMb > 0) {
        const n = await store.dropOldestDaysOver(init.maxDbMb * 1024 * 1024);
        if (n > 0) {
          send({
            type: 'log',
            level: 'info',
            msg: 'retention deleted old messages',
            fields: { deleted: n, reason: 'size' },
          });
        }
      }
    } catch (err) {
      send({
        type: 'log',
        level: 'warn',
        msg: 'store upkeep (partitions, retention) failed',
        err: toThreadError(err),
      });
    }
  };
  let upkeepRun: Promise<void> | undefined = upkeep();
  const upkeepTimer = setInterval(() => {
    upkeepRun ??= upkeep().finally(() => (upkeepRun = undefined));
  }, UPKEEP_INTERVAL_MS);
  upkeepTimer.unref();
  void upkeepRun.finally(() => (upkeepRun = undefined));

  let eventWrites: Promise<void> = Promise.resolve();

  async function run(command: WriterCommand): Promise<number | boolean> {
    await writer.flush();
    await eventWrites;
    switch (command.op) {
      case 'flush':
        send({ type: 'stats', stats: stats() });
        return true;
      case 'deleteBefore':
        return store.deleteBefore(command.before);
      case 'deleteAll':
        return store.deleteAll();
      case 'deleteById':
        return store.deleteById(command.id);
      case 'ping':
        await store.ready();
        await store.ping();
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
      case 'events': {
        const events = m.events;
        // In order, and awaited by commands (a flush sees every event handed over before it).
        eventWrites = eventWrites.then(() =>
          store
            .writeEvents(events)
            .catch((err: unknown) =>
              send({ type: 'log', level: 'warn', msg: 'events could not be stored', err: toThreadError(err) })
            )
        );
        return;
      }
      case 'command':
        run(m.command).then(
          (result) => send({ type: 'reply', id: m.id, result }),
          (err: unknown) => send({ type: 'reply', id: m.id, error: toThreadError(err) })
        );
        return;
      case 'close':
        void (async () => {
          clearInterval(report);
          clearInterval(upkeepTimer);
          await upkeepRun;
          await writer.close();
          await eventWrites;
          await store.close();
          send({ type: 'closed', stats: stats() });
          port.close();
        })();
        return;
    }
  });
  // Ready once the schema is there, or the first attempt failed (the database is down: records are
  // counted as drops until it answers; the proxy never waits for it).
  store
    .ready()
    .catch((err: unknown) =>
      send({
        type: 'log',
        level: 'error',
        msg: 'PostgreSQL store unavailable; proxying continues, retrying',
        err: toThreadError(err),
      })
    )
    .finally(() => send({ type: 'ready' }));
}
