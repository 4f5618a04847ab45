import { FrameSplitter, streamKindOf } from './frames';

describe('FrameSplitter', () => {
  it('reassembles NDJSON lines split anywhere, including inside a UTF-8 sequence', () => {
    const text = '{"response":"héllo 🌍"}\n{"response":"wörld"}\n{"done":true}\n';
    const bytes = Buffer.from(text);
    for (let size = 1; size <= 9; size++) {
      const s = new FrameSplitter('ndjson');
      const out: string[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...s.push(bytes.subarray(i, i + size)));
      out.push(...s.end());
      expect(out.map((p) => JSON.parse(p))).toEqual([
        { response: 'héllo 🌍' },
        { response: 'wörld' },
        { done: true },
      ]);
    }
  });

  it('reads SSE data frames (LF or CRLF), multi-line data, and notes [DONE]', () => {
    const s = new FrameSplitter('sse');
    const out = [
      ...s.push(Buffer.from('data: {"a":1}\r\n\r\n: comment\r\n\r\nevent: x\r\ndata: {"b":\r\n')),
      ...s.push(Buffer.from('data: 2}\r\n\r\ndata: [DONE]\r\n\r\n')),
      ...s.end(),
    ];
    expect(out).toEqual(['{"a":1}', '{"b":\n2}']);
    expect(s.sawDone).toBe(true);
  });

  it('keeps a last line that has no newline', () => {
    const s = new FrameSplitter('ndjson');
    expect(s.push(Buffer.from('{"x":1}\n{"y"'))).toEqual(['{"x":1}']);
    expect(s.push(Buffer.from(':2}'))).toEqual([]);
    expect(s.end()).toEqual(['{"y":2}']);
  });

  it('tells stream kinds from content types', () => {
    expect(streamKindOf('application/x-ndjson')).toBe('ndjson');
    expect(streamKindOf('text/event-stream; charset=utf-8')).toBe('sse');
    expect(streamKindOf('application/json; charset=utf-8')).toBeUndefined();
    expect(streamKindOf(undefined)).toBeUndefined();
  });
});
