import type { MeasurementRecord, RecordSink, RequestStartInfo } from './record';

/**
 * Fans records out to sinks. A sink that throws is logged and skipped: monitoring never breaks a
 * request. Sinks must be quick (queue and return); the tap calls them synchronously after the response
 * has been fully forwarded, so no sink ever delays a byte to the client.
 */
export class Tap {
  private sinks: RecordSink[] = [];
  constructor(private readonly onSinkError: (sink: string, err: unknown) => void = () => {}) {}

  addSink(sink: RecordSink): void {
    this.sinks.push(sink);
  }

  get sinkNames(): string[] {
    return this.sinks.map((s) => s.name);
  }

  requestStarted(info: RequestStartInfo): void {
    for (const sink of this.sinks) {
      if (!sink.onRequestStart) continue;
      try {
        sink.onRequestStart(info);
      } catch (err) {
        this.onSinkError(sink.name, err);
      }
    }
  }

  emit(record: MeasurementRecord): void {
    for (const sink of this.sinks) {
      try {
        sink.record(record);
      } catch (err) {
        this.onSinkError(sink.name, err);
      }
    }
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) {
      try {
        await sink.close?.();
      } catch (err) {
        this.onSinkError(sink.name, err);
      }
    }
  }
}
