import type { FastifyBaseLogger } from 'fastify';
import type { MeasurementRecord, RecordSink } from './record';

/** Writes each record as one structured log line (without the text and chunk timings, which go to the store). */
export class LogSink implements RecordSink {
  readonly name = 'log';
  constructor(private readonly log: FastifyBaseLogger) {}

  record(r: MeasurementRecord): void {
    const { prompt: _p, response: _r, chunks: _c, ...meta } = r;
    this.log.info({ record: meta }, 'request');
  }
}
