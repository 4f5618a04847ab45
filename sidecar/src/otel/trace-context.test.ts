import { upstreamRequestHeaders } from '../proxy/headers';
import { continueTrace, newSpanId, newTraceId, parseTraceparent, traceparentOf } from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads a version-00 header, sampled or not', () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({
      traceId: TRACE,
      spanId: PARENT,
      sampled: true,
    });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-00`)).toEqual({
      traceId: TRACE,
      spanId: PARENT,
      sampled: false,
    });
    // Other flag bits do not hide the sampled bit.
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-03`)?.sampled).toBe(true);
  });

  it('reads the known fields of a future version and ignores what follows', () => {
    expect(parseTraceparent(`cc-${TRACE}-${PARENT}-01-what-comes-next`)).toEqual({
      traceId: TRACE,
      spanId: PARENT,
      sampled: true,
    });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${PARENT}-01-extra`],
    ['zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper case', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['garbage', 'hello'],
  ])('rejects %s', (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe('ids', () => {
  it('are lowercase hex of the right length, never all zero, and do not repeat', () => {
    // More than one pool's worth (4096 bytes), so a refill is crossed.
    const spans = Array.from({ length: 5000 }, () => newSpanId());
    expect(spans.filter((s) => !/^(?!0{16})[0-9a-f]{16}$/.test(s))).toEqual([]);
    expect(new Set(spans).size).toBe(spans.length);
    expect(newTraceId()).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });
});

describe('continueTrace', () => {
  it('starts a sampled trace when the caller sent none (or an invalid one)', () => {
    for (const headers of [{}, { traceparent: 'nope' }]) {
      const t = continueTrace(headers);
      expect(t.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(t.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(t.parent_span_id).toBeUndefined();
      expect(t.sampled).toBe(true);
    }
  });

  it("continues the caller's trace: same trace id, its span as parent, its sampling and tracestate", () => {
    const t = continueTrace({ traceparent: `00-${TRACE}-${PARENT}-00`, tracestate: 'congo=t61rcWkgMzE' });
    expect(t).toEqual({
      trace_id: TRACE,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      parent_span_id: PARENT,
      sampled: false,
      trace_state: 'congo=t61rcWkgMzE',
    });
    expect(t.span_id).not.toBe(PARENT);
    expect(traceparentOf(t)).toBe(`00-${TRACE}-${t.span_id}-00`);
  });
});

describe('upstreamRequestHeaders with a traceparent', () => {
  const raw = [
    'Host',
    'lens:11435',
    'traceparent',
    `00-${TRACE}-${PARENT}-01`,
    'tracestate',
    'a=1',
    'X-Other',
    'y',
  ];

  it("replaces the caller's traceparent with ours and passes tracestate on", () => {
    const ours = `00-${TRACE}-${'1'.repeat(16)}-01`;
    expect(upstreamRequestHeaders(raw, '127.0.0.1:11434', ours)).toEqual([
      'tracestate',
      'a=1',
      'X-Other',
      'y',
      'traceparent',
      ours,
      'host',
      '127.0.0.1:11434',
    ]);
  });

  it('adds one when the caller sent none', () => {
    const ours = `00-${TRACE}-${'1'.repeat(16)}-01`;
    expect(upstreamRequestHeaders(['X-Other', 'y'], 'u', ours)).toEqual([
      'X-Other',
      'y',
      'traceparent',
      ours,
      'host',
      'u',
    ]);
  });

  it('leaves the headers untouched without one (export off)', () => {
    expect(upstreamRequestHeaders(raw, 'u')).toEqual([
      'traceparent',
      `00-${TRACE}-${PARENT}-01`,
      'tracestate',
      'a=1',
      'X-Other',
      'y',
      'host',
      'u',
    ]);
  });
});
