import type { PullProgressLine } from '@ollama-lens/contracts';

/** One layer (blob) of a pull: bytes done of its size. */
export interface LayerProgress {
  digest: string;
  total: number;
  completed: number;
}

/** What a pull's progress stream has said so far, folded into what the progress bars draw. */
export interface PullProgress {
  /** Ollama's latest status line ("pulling manifest", "pulling 6a0746a1ec1a", "verifying sha256 digest"…). */
  status: string;
  /** Layers in the order Ollama first named them. */
  layers: LayerProgress[];
  /** Bytes done and known bytes over every layer. */
  completed: number;
  total: number;
  /** Ollama said `success`. */
  done: boolean;
  error?: string;
}

export const PULL_STARTED: PullProgress = { status: 'starting', layers: [], completed: 0, total: 0, done: false };

/**
 * The next state after one progress line. Ollama sends a layer's `total` before its `completed` and repeats
 * the digest on every line of that layer; a line about another layer never resets the ones before it.
 */
export function applyPullLine(state: PullProgress, line: PullProgressLine): PullProgress {
  if (line.error !== undefined) {
    return { ...state, status: 'failed', error: line.error };
  }
  let layers = state.layers;
  if (line.digest && typeof line.total === 'number' && line.total > 0) {
    const layer: LayerProgress = {
      digest: line.digest,
      total: line.total,
      completed: clamp(line.completed ?? 0, 0, line.total),
    };
    const index = layers.findIndex((l) => l.digest === line.digest);
    layers = index === -1 ? [...layers, layer] : layers.map((l, i) => (i === index ? layer : l));
  }
  return {
    status: line.status ?? state.status,
    layers,
    completed: layers.reduce((sum, l) => sum + l.completed, 0),
    total: layers.reduce((sum, l) => sum + l.total, 0),
    done: state.done || line.status === 'success',
    error: state.error,
  };
}

/** Share done in [0, 1]; 0 while nothing's size is known. */
export function fractionDone(completed: number, total: number): number {
  return total > 0 ? clamp(completed / total, 0, 1) : 0;
}

/** The short digest Ollama prints (`sha256:6a0746…` → `6a0746a1ec1a`). */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256[:-]/, '').slice(0, 12);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
