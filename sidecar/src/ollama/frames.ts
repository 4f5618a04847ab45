import { StringDecoder } from 'node:string_decoder';

export type StreamKind = 'ndjson' | 'sse';

/** Decides how a response body is framed from its content type; undefined = one JSON document. */
export function streamKindOf(contentType: string | undefined): StreamKind | undefined {
  if (!contentType) return undefined;
  const ct = contentType.toLowerCase();
  if (ct.startsWith('application/x-ndjson') || ct.startsWith('application/jsonl')) return 'ndjson';
  if (ct.startsWith('text/event-stream')) return 'sse';
  return undefined;
}

/**
 * Splits a streamed body into frame payloads as bytes arrive: NDJSON lines, or the `data:` of SSE
 * events. Bytes may split anywhere (inside a UTF-8 sequence, a line or an event); payloads come out whole.
 */
export class FrameSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  /** True once an SSE `data: [DONE]` was seen. */
  sawDone = false;

  constructor(private readonly kind: StreamKind) {}

  push(chunk: Buffer): string[] {
    this.buffer += this.decoder.write(chunk);
    return this.drain(false);
  }

  end(): string[] {
    this.buffer += this.decoder.end();
    return this.drain(true);
  }

  private drain(final: boolean): string[] {
    const out: string[] = [];
    if (this.kind === 'ndjson') {
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line) out.push(line);
      }
      if (final && this.buffer.trim()) out.push(this.buffer.trim());
      if (final) this.buffer = '';
      return out;
    }
    if (this.buffer.includes('\r')) this.buffer = this.buffer.replace(/\r\n?/g, '\n');
    let sep: number;
    while ((sep = this.buffer.indexOf('\n\n')) >= 0) {
      this.event(this.buffer.slice(0, sep), out);
      this.buffer = this.buffer.slice(sep + 2);
    }
    if (final && this.buffer.trim()) {
      this.event(this.buffer, out);
      this.buffer = '';
    }
    return out;
  }

  private event(block: string, out: string[]): void {
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    }
    if (data.length === 0) return;
    const payload = data.join('\n');
    if (payload.trim() === '[DONE]') {
      this.sawDone = true;
      return;
    }
    out.push(payload);
  }
}

/** Parses one frame payload; a payload that is not a JSON object yields undefined. */
export function parseFrame<T extends object>(payload: string): T | undefined {
  try {
    const v: unknown = JSON.parse(payload);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}
