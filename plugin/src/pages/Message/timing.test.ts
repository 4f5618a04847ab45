import { textAt } from './StreamReplay';
import { timingBreakdown } from './timing';
import { prettyJson } from './MessageDetail';

describe('timing breakdown', () => {
  it('splits wall time into queue, load, prompt evaluation, generation and the rest', () => {
    const b = timingBreakdown({
      duration_ms: 1000,
      queue_ms: 50,
      ttft_ms: 400,
      timings: {
        total_duration_ns: 900e6,
        load_duration_ns: 100e6,
        prompt_eval_count: 10,
        prompt_eval_duration_ns: 200e6,
        eval_count: 20,
        eval_duration_ns: 500e6,
      },
    });
    expect(b.segments.map((s) => [s.key, Math.round(s.ms)])).toEqual([
      ['queue', 50],
      ['load', 100],
      ['prompt_eval', 200],
      ['generation', 500],
      ['other', 150],
    ]);
    expect(b.totalMs).toBe(1000);
    expect(b.ttftMs).toBe(400);
  });

  it('leaves out what Ollama did not report and never shows negative rest', () => {
    const b = timingBreakdown({
      duration_ms: 10,
      queue_ms: null,
      ttft_ms: null,
      timings: {
        total_duration_ns: null,
        load_duration_ns: null,
        prompt_eval_count: null,
        prompt_eval_duration_ns: null,
        eval_count: null,
        eval_duration_ns: 12e6,
      },
    });
    expect(b.segments.map((s) => s.key)).toEqual(['generation']);
    expect(b.totalMs).toBe(12);
  });
});

describe('stream replay', () => {
  const chunks = [
    { t_ms: 5, bytes: 10, text: 'Hel' },
    { t_ms: 9, bytes: 10, text: 'lo' },
    { t_ms: 30, bytes: 10, text: null },
    { t_ms: 31, bytes: 10, text: '!' },
  ];
  it('shows the text that had arrived at a point in time', () => {
    expect(textAt(chunks, 0)).toEqual({ text: '', arrived: 0 });
    expect(textAt(chunks, 9)).toEqual({ text: 'Hello', arrived: 2 });
    expect(textAt(chunks, 30)).toEqual({ text: 'Hello', arrived: 3 });
    expect(textAt(chunks, 1000)).toEqual({ text: 'Hello!', arrived: 4 });
  });

  it('pretty-prints JSON tool arguments and keeps anything else as sent', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('not json')).toBe('not json');
  });
});
