import { applyChatLine, startRun, tokensPerSecond, ttftMs } from './chatRun';

const chunk = (content: string) => ({ model: 'tiny', message: { role: 'assistant', content }, done: false });

describe('a streaming playground answer', () => {
  it('appends the chunks and measures TTFT to the first content', () => {
    let run = startRun('tiny', 1000);
    expect(ttftMs(run)).toBeNull();
    run = applyChatLine(run, chunk(''), 1100); // an empty first chunk is not a token
    expect(ttftMs(run)).toBeNull();
    run = applyChatLine(run, chunk('Hel'), 1250);
    run = applyChatLine(run, chunk('lo'), 1300);
    expect(run.text).toBe('Hello');
    expect(ttftMs(run)).toBe(250);
    expect(run.chunks).toBe(2);
  });

  it('reports live tokens/s from the chunks after the first, then Ollama’s own figure when done', () => {
    let run = startRun('tiny', 0);
    run = applyChatLine(run, chunk('a'), 100);
    expect(tokensPerSecond(run, 150)).toBeNull();
    run = applyChatLine(run, chunk('b'), 200);
    run = applyChatLine(run, chunk('c'), 300);
    // 2 tokens after the first, over 0.4 s since it.
    expect(tokensPerSecond(run, 500)).toBeCloseTo(5);
    run = applyChatLine(
      run,
      {
        model: 'tiny',
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'stop',
        eval_count: 3,
        eval_duration: 150_000_000,
      },
      320
    );
    expect(run).toMatchObject({ done: true, doneReason: 'stop', evalCount: 3 });
    expect(tokensPerSecond(run, 10_000)).toBeCloseTo(20);
  });

  it('keeps a mid-stream error line', () => {
    const run = applyChatLine(startRun('tiny', 0), { error: 'model runner has unexpectedly stopped' }, 5);
    expect(run.error).toBe('model runner has unexpectedly stopped');
    expect(run.done).toBe(false);
  });
});
