import { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { readNdjson } from './stream';

/** A body that delivers these byte chunks one by one, as a network would. */
function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new NodeReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) {
        controller.enqueue(encoder.encode(chunks[i++]));
      } else {
        controller.close();
      }
    },
  }) as unknown as ReadableStream<Uint8Array>;
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const line of readNdjson(stream)) {
    out.push(line);
  }
  return out;
}

describe('readNdjson', () => {
  it('yields each line once it is complete, whatever the chunk boundaries', async () => {
    expect(await collect(body(['{"a":', '1}\n{"b"', ':2}\n\n', '{"c":3}']))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('{"t":"é"}\n');
    const split = new NodeReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    }) as unknown as ReadableStream<Uint8Array>;
    expect(await collect(split)).toEqual([{ t: 'é' }]);
  });

  it('names a line that is not JSON', async () => {
    await expect(collect(body(['{"ok":1}\n<html>\n']))).rejects.toThrow('a line of the stream is not JSON: <html>');
  });

  it('cancels the body when the reader stops early', async () => {
    let cancelled = false;
    const stream = new NodeReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{"n":1}\n'));
      },
      cancel() {
        cancelled = true;
      },
    }) as unknown as ReadableStream<Uint8Array>;
    for await (const _ of readNdjson(stream)) {
      break;
    }
    expect(cancelled).toBe(true);
  });
});
