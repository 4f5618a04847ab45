import type { Message } from '@ollama-lens/contracts';
import { loadMessageFixture } from '@ollama-lens/testkit/fixtures';
import { textAt } from './StreamReplay';
import { TIMING_LABELS, timingBreakdown, type TimingKey } from './timing';
import { prettyJson } from './MessageDetail';

/**
 * Two streamed /api/generate requests sent together through a real sidecar to the real Ollama with
 * OLLAMA_NUM_PARALLEL=1, as the sidecar's API returned them (sidecar/test/fixtures/record-queued-pair.ts):
 * the second waited inside Ollama while the first ran.
 */
const [first, second] = loadMessageFixture<{ messages: Message[] }>('queued-pair').messages;

const ms = (b: ReturnType<typeof timingBreakdown>, key: TimingKey) => b.segments.find((s) => s.key === key)?.ms;
const nsToMs = (ns: number | null) => (ns ?? 0) / 1e6;

describe('timing breakdown of real queued requests', () => {
  it("shows the second request's wait for a slot as its queue wait, and the first one's as none", () => {
    const a = timingBreakdown(first);
    const b = timingBreakdown(second);
    // The first ran at once: a wait of well under a millisecond is no part of the bar.
    expect(first.queue_ms).toBeLessThan(5);
    // The second waited about as long as the first was generating (its load, prompt eval and eval).
    const firstWork =
      nsToMs(first.timings.load_duration_ns) +
      nsToMs(first.timings.prompt_eval_duration_ns) +
      nsToMs(first.timings.eval_duration_ns);
    expect(second.queue_ms).toBeGreaterThan(firstWork / 2);
    expect(ms(b, 'queue')).toBe(second.queue_ms);
    expect(b.segments[0]).toEqual({ key: 'queue', label: TIMING_LABELS.queue, ms: second.queue_ms });
    expect(ms(a, 'queue') ?? 0).toBeLessThan(5);
    for (const [m, bd] of [
      [first, a],
      [second, b],
    ] as const) {
      // Ollama's own parts, as it reported them.
      expect(ms(bd, 'load')).toBeCloseTo(nsToMs(m.timings.load_duration_ns), 6);
      expect(ms(bd, 'prompt_eval')).toBeCloseTo(nsToMs(m.timings.prompt_eval_duration_ns), 6);
      expect(ms(bd, 'generation')).toBeCloseTo(nsToMs(m.timings.eval_duration_ns), 6);
      // What the proxy measured beyond Ollama's total_duration is the network and the proxy, never the queue.
      const network = m.duration_ms - nsToMs(m.timings.total_duration_ns);
      if (network > 0.5) {
        expect(ms(bd, 'network')).toBeCloseTo(network, 3);
      }
      expect(bd.segments.map((s) => s.key)).not.toContain('unmeasured');
      expect(bd.totalMs).toBeCloseTo(m.duration_ms, 6);
      // The queue wait is inside Ollama's total_duration: the parts it holds add up to it.
      const inside = (['queue', 'load', 'prompt_eval', 'generation'] as const).reduce(
        (sum, k) => sum + (ms(bd, k) ?? 0),
        0
      );
      expect(inside).toBeCloseTo(nsToMs(m.timings.total_duration_ns), 3);
    }
    // The network is far shorter than the wait: labelling the two the other way round would show.
    expect(ms(b, 'network') ?? 0).toBeLessThan(second.queue_ms!);
  });

  it('labels each part by what it is', () => {
    expect(timingBreakdown(second).segments.map((s) => s.label)).toEqual(
      timingBreakdown(second).segments.map((s) => TIMING_LABELS[s.key])
    );
    expect(TIMING_LABELS).toEqual({
      queue: 'Queue wait (estimate)',
      load: 'Model load',
      prompt_eval: 'Prompt evaluation',
      generation: 'Generation',
      network: 'Network & proxy',
      unmeasured: 'Not reported by Ollama',
    });
  });

  it("without Ollama's timings (a /v1 answer) the wall time is shown as not reported, not guessed", () => {
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
        eval_duration_ns: null,
      },
    });
    expect(b.segments).toEqual([{ key: 'unmeasured', label: TIMING_LABELS.unmeasured, ms: 10 }]);
  });

  it('never shows a negative rest when Ollama reports more than the wall time', () => {
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
