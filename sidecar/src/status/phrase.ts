/**
 * The optional model-phrased status line (`--status-model`): the rules' facts go to a model through
 * the sidecar's own proxy path (so the request is measured like any other, and marked as the status
 * line's), and one short line comes back. Anything but a clean single line falls back to the rules.
 */
import { ORIGIN_HEADER, type StatusFact, type StatusLevel } from '@ollama-lens/contracts';
import { MAX_LINE_CHARS } from './rules';

export interface StatusPhraser {
  /** One line for the facts, or undefined when the model gave nothing usable. */
  phrase(facts: readonly StatusFact[], level: StatusLevel): Promise<string | undefined>;
}

export function statusPrompt(facts: readonly StatusFact[], level: StatusLevel): string {
  return [
    'You write the one-line status banner of an Ollama server dashboard.',
    `Overall level: ${level}. Facts, most important first:`,
    ...facts.map((f) => `- [${f.level}] ${f.text}`),
    `Reply with one plain sentence of at most ${MAX_LINE_CHARS} characters that tells an operator what matters most.`,
    'No markdown, no quotes, no preamble.',
  ].join('\n');
}

// C0/C1 controls and bidi overrides: a banner must not carry either.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The model's answer as a banner line: its first non-empty line, unquoted; undefined if unusable. */
export function cleanPhrase(text: string): string | undefined {
  const first = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!first || UNSAFE.test(first)) return undefined;
  const line = first
    .replace(/^(\*\*|__|["'`“”]+)|(\*\*|__|["'`“”]+)$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (line.length < 3 || line.length > MAX_LINE_CHARS) return undefined;
  return line;
}

export interface OllamaPhraserOptions {
  /** The sidecar's own proxy URL (known once it listens). */
  proxyUrl: () => string | undefined;
  model: string;
  timeoutMs: number;
}

export class OllamaPhraser implements StatusPhraser {
  constructor(private readonly opts: OllamaPhraserOptions) {}

  async phrase(facts: readonly StatusFact[], level: StatusLevel): Promise<string | undefined> {
    const base = this.opts.proxyUrl();
    if (!base) return undefined;
    const res = await fetch(new URL('/api/generate', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [ORIGIN_HEADER]: 'status' },
      body: JSON.stringify({
        model: this.opts.model,
        prompt: statusPrompt(facts, level),
        stream: false,
        options: { temperature: 0.2, num_predict: 64 },
      }),
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    const body = (await res.json()) as { response?: unknown; error?: unknown };
    if (!res.ok)
      throw new Error(`status model ${this.opts.model}: HTTP ${res.status} ${String(body.error ?? '')}`);
    return typeof body.response === 'string' ? cleanPhrase(body.response) : undefined;
  }
}
