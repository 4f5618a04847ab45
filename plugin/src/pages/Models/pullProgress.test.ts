import type { PullProgressLine } from '@ollama-lens/contracts';
import { applyPullLine, fractionDone, PULL_STARTED, shortDigest, type PullProgress } from './pullProgress';

const fold = (lines: PullProgressLine[]): PullProgress => lines.reduce(applyPullLine, PULL_STARTED);
const A = 'sha256:aaaaaaaaaaaa1111';
const B = 'sha256:bbbbbbbbbbbb2222';

describe('pull progress', () => {
  it('tracks each layer by digest and sums the bytes over the layers', () => {
    const state = fold([
      { status: 'pulling manifest' },
      { status: 'pulling aaaaaaaaaaaa', digest: A, total: 1000 },
      { status: 'pulling aaaaaaaaaaaa', digest: A, total: 1000, completed: 400 },
      { status: 'pulling bbbbbbbbbbbb', digest: B, total: 3000, completed: 1500 },
      { status: 'pulling aaaaaaaaaaaa', digest: A, total: 1000, completed: 1000 },
    ]);
    expect(state.layers).toEqual([
      { digest: A, total: 1000, completed: 1000 },
      { digest: B, total: 3000, completed: 1500 },
    ]);
    expect([state.completed, state.total]).toEqual([2500, 4000]);
    expect(state.status).toBe('pulling aaaaaaaaaaaa');
    expect(state.done).toBe(false);
    expect(fractionDone(state.completed, state.total)).toBeCloseTo(0.625);
  });

  it('is done at success, keeping the layers; status lines without a digest change only the status', () => {
    const state = fold([
      { status: 'pulling aaaaaaaaaaaa', digest: A, total: 10, completed: 10 },
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    ]);
    expect(state).toMatchObject({ status: 'success', done: true, completed: 10, total: 10 });
    expect(state.layers).toHaveLength(1);
  });

  it('keeps the error line of a failed pull', () => {
    const state = fold([{ status: 'pulling manifest' }, { error: 'pull model manifest: file does not exist' }]);
    expect(state).toMatchObject({ status: 'failed', error: 'pull model manifest: file does not exist', done: false });
  });

  it('never shows more than a layer’s size or a negative amount', () => {
    const state = fold([{ digest: A, total: 100, completed: 250 }]);
    expect(state.layers[0].completed).toBe(100);
    expect(fold([{ digest: A, total: 100, completed: -5 }]).layers[0].completed).toBe(0);
    expect(fractionDone(0, 0)).toBe(0);
    expect(fractionDone(5, 4)).toBe(1);
  });

  it('shortens digests as Ollama prints them', () => {
    expect(shortDigest('sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa')).toBe('6a0746a1ec1a');
  });
});
