/**
 * Realistic measurement records for the store's tests and benchmark: the shapes the tap produces for
 * real Ollama traffic (native and /v1 chat, generate, embed; streamed and not; errors, cancels,
 * timeouts), with prompts people actually send, Zipf-distributed users and models, and token counts,
 * durations and chunk timings that hang together (duration = queue + load + prompt eval + eval).
 * Deterministic for a given seed.
 */
import type { PriceTable } from '@ollama-lens/sidecar/src/config';
import { measurementRecord } from '@ollama-lens/sidecar/src/tap/derive';
import type {
  ChunkTiming,
  Endpoint,
  MeasurementRecord,
  ObservedExchange,
  PromptInfo,
  RequestStatus,
} from '@ollama-lens/sidecar/src/tap/record';
import { mulberry32 } from './random';

const MODELS = [
  'llama3.2:3b',
  'qwen2.5-coder:7b',
  'mistral:7b',
  'gemma3:4b',
  'phi4:14b',
  'deepseek-r1:8b',
  'llama3.1:70b',
];
const EMBED_MODEL = 'nomic-embed-text';

const TOPICS = [
  'climate change',
  'the French revolution',
  'quantum computing',
  'a sourdough recipe',
  'the quarterly sales report',
  'Kubernetes networking',
  'the new vacation policy',
  'photosynthesis',
  'the history of jazz',
  'a customer complaint about late delivery',
  'our onboarding checklist',
  'electric vehicles',
  'the Roman empire',
  'machine learning pipelines',
  'a job offer negotiation',
  'the marketing budget',
  'sleep hygiene',
  'the Apollo 11 mission',
  'open source licensing',
  'a broken washing machine',
  'inflation in 2023',
  'the board meeting minutes',
  'coral reefs',
];
const LANGUAGES = ['French', 'Spanish', 'German', 'Japanese', 'Italian', 'Portuguese', 'Korean', 'Dutch'];
const CODE_TASKS = [
  'a Python function that parses ISO 8601 dates',
  'a SQL query that finds duplicate email addresses',
  'a TypeScript type guard for a discriminated union',
  'a bash script that rotates log files',
  'a Go HTTP handler that streams NDJSON',
  'a Rust iterator over the lines of a file',
  'a React hook that debounces input',
  'a regex that validates UK postcodes',
];
const SNIPPETS = [
  'def load(path):\n    with open(path) as f:\n        return json.load(f)\n',
  'const total = items.reduce((sum, x) => sum + x.price, 0);\n',
  'SELECT user_id, count(*) FROM orders GROUP BY user_id HAVING count(*) > 5;\n',
  'for i in range(10):\n    print(i ** 2)\n',
  'func main() {\n\tfmt.Println("hello")\n}\n',
];
const CHAT_OPENERS = [
  'hi! how are you today?',
  'What is the capital of Australia?',
  'Tell me a joke about programmers.',
  'I have a job interview tomorrow, any tips?',
  'Can you recommend a good science fiction book?',
  'Write a haiku about autumn rain.',
  'What should I cook for dinner tonight?',
  'Why is the sky blue?',
];
/** Common English words, ranked: drawn with a Zipf-like skew so the FTS index sees realistic term frequencies. */
const WORDS = (
  'the of and to a in is that it for as with was on be by this are or from at an which but not have has can more ' +
  'one all their they also will other its been some these would when there into time only new about most than first ' +
  'data model user system value function result example using however because between each make used different ' +
  'process first important number based information should during while example support change approach provide ' +
  'performance quality customer report policy energy history network training feature pipeline budget mission ' +
  'temperature average growth market service delivery contract request response error query server client cluster ' +
  'revenue quarter meeting team project design review language translation summary analysis code question answer ' +
  'ocean reef carbon emissions battery vehicle empire revolution bread flour yeast oven license license kernel ' +
  'memory latency throughput token stream cache index schema migration deploy release rollback incident outage'
).split(/\s+/);

export interface FactoryOptions {
  seed?: number;
  /** Epoch ms range the records' started_at fall in (uniform). */
  from?: number;
  to?: number;
  users?: number;
  /** Chunks per streamed response are capped (the tap keeps up to 5000; benchmarks may want fewer). */
  maxChunks?: number;
  /**
   * Spread `count` records over the range in time order (with a little jitter), as real traffic
   * arrives; without it, started_at is uniform random in the range.
   */
  ordered?: { count: number };
  /**
   * Share (0–1) of chat/generate requests shaped like the heavy traffic users actually send: a long
   * pasted document (about 3–12 KB: retrieval context, a file, a transcript) with a question, and chat
   * histories of several turns. Off by default (the tests' seeded records stay as they are).
   */
  longPrompts?: number;
  /** The price table the records' cost is derived with, as the sidecar's --prices (default: none). */
  prices?: PriceTable;
}

export class RecordFactory {
  private readonly r: () => number;
  private n = 0;
  private readonly from: number;
  private readonly to: number;
  private readonly users: number;
  private readonly maxChunks: number;
  private readonly ordered: { count: number } | undefined;
  private readonly longPrompts: number;
  private readonly prices: PriceTable;

  constructor(opts: FactoryOptions = {}) {
    this.r = mulberry32(opts.seed ?? 1);
    this.to = opts.to ?? Date.now();
    this.from = opts.from ?? this.to - 24 * 3600 * 1000;
    this.users = opts.users ?? 200;
    this.maxChunks = opts.maxChunks ?? 400;
    this.ordered = opts.ordered;
    this.longPrompts = opts.longPrompts ?? 0;
    this.prices = opts.prices ?? {};
  }

  /** A random v4-style UUID from the seeded generator (the proxy uses crypto.randomUUID). */
  private uuid(): string {
    const hex = (n: number) =>
      Math.floor(this.r() * 16 ** n)
        .toString(16)
        .padStart(n, '0');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(this.r() * 4)).toString(16)}${hex(3)}-${hex(6)}${hex(6)}`;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }

  /** Zipf-ish index in [0, n): small indexes are much more likely. */
  private zipf(n: number): number {
    return Math.min(n - 1, Math.floor(Math.pow(this.r(), 2.2) * n));
  }

  private words(count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(WORDS[this.zipf(WORDS.length)]);
    let s = out.join(' ');
    s = s.charAt(0).toUpperCase() + s.slice(1);
    return s;
  }

  private paragraph(sentences: number): string {
    const out: string[] = [];
    for (let i = 0; i < sentences; i++) out.push(this.words(6 + Math.floor(this.r() * 14)) + '.');
    return out.join(' ');
  }

  /** A prompt people send, with its category's typical wording. */
  prompt(): { text: string; kind: string } {
    const x = this.r();
    if (x < 0.3) return { text: this.pick(CHAT_OPENERS), kind: 'chat' };
    if (x < 0.45)
      return {
        text: `Summarize the following text about ${this.pick(TOPICS)} in three bullet points:\n\n${this.paragraph(4 + Math.floor(this.r() * 8))}`,
        kind: 'summarization',
      };
    if (x < 0.55)
      return {
        text: `Translate this into ${this.pick(LANGUAGES)}: ${this.paragraph(1 + Math.floor(this.r() * 2))}`,
        kind: 'translation',
      };
    if (x < 0.78) {
      const withSnippet = this.r() < 0.5;
      return {
        text: withSnippet
          ? `Why does this fail?\n\`\`\`\n${this.pick(SNIPPETS)}\`\`\``
          : `Write ${this.pick(CODE_TASKS)}.`,
        kind: 'code',
      };
    }
    if (x < 0.92)
      return {
        text: `Analyze the trends in ${this.pick(TOPICS)} and compare the pros and cons. ${this.paragraph(2)}`,
        kind: 'analysis',
      };
    return { text: `${this.paragraph(1 + Math.floor(this.r() * 3))}`, kind: 'other' };
  }

  /** A long prompt: a pasted document of 40–150 sentences and a question about it. */
  longPrompt(): { text: string; kind: string } {
    const doc = this.paragraph(40 + Math.floor(this.r() * 110));
    return {
      text: `Use the context below to answer the question.\n\nContext:\n${doc}\n\nQuestion: what does it say about ${this.pick(TOPICS)}?`,
      kind: 'analysis',
    };
  }

  /** The next record (started_at uniform in the range, so inserts arrive slightly out of time order). */
  next(overrides: Partial<ObservedExchange> = {}): MeasurementRecord {
    const i = this.n++;
    const span = this.to - this.from;
    const started = this.ordered
      ? Math.floor(this.from + ((i + this.r() * 3) / this.ordered.count) * span)
      : Math.floor(this.from + this.r() * span);
    const e = this.r();
    const endpoint: Endpoint =
      e < 0.55 ? '/api/chat' : e < 0.75 ? '/api/generate' : e < 0.9 ? '/v1/chat/completions' : '/api/embed';
    const isEmbed = endpoint === '/api/embed';
    const model = isEmbed ? EMBED_MODEL : MODELS[this.zipf(MODELS.length)];
    const user = this.r() < 0.08 ? undefined : `user-${String(this.zipf(this.users)).padStart(4, '0')}`;
    const session =
      user && this.r() < 0.7 ? `sess-${user.slice(5)}-${Math.floor(started / 3_600_000) % 97}` : undefined;
    const stream = !isEmbed && this.r() < 0.7;
    const s = this.r();
    const status: RequestStatus =
      s < 0.955 ? 'success' : s < 0.98 ? 'error' : s < 0.993 ? 'cancelled' : 'timeout';

    const long = this.longPrompts > 0 && !isEmbed && this.r() < this.longPrompts;
    const { text } = long ? this.longPrompt() : this.prompt();
    let prompt: PromptInfo;
    if (isEmbed) prompt = { inputs: 1 + Math.floor(this.r() * 8) };
    else if (endpoint === '/api/generate') prompt = { prompt: text };
    else {
      const history = long
        ? Array.from({ length: 2 * (1 + Math.floor(this.r() * 6)) }, (_, k) => ({
            role: k % 2 === 0 ? 'user' : 'assistant',
            content: k % 2 === 0 ? this.pick(CHAT_OPENERS) : this.paragraph(2 + Math.floor(this.r() * 6)),
          }))
        : this.r() < 0.3
          ? [
              { role: 'user', content: this.pick(CHAT_OPENERS) },
              { role: 'assistant', content: this.paragraph(2) },
            ]
          : [];
      prompt = {
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          ...history,
          { role: 'user', content: text },
        ],
      };
    }
    const inputTokens = isEmbed
      ? 20 + Math.floor(this.r() * 400)
      : Math.ceil(JSON.stringify(prompt).length / 4);
    const outputTokens =
      isEmbed || status === 'error'
        ? 0
        : status === 'success'
          ? 20 + this.zipf(600)
          : Math.floor(this.r() * 60);
    const responseText =
      isEmbed || outputTokens === 0 ? '' : this.paragraph(Math.max(1, Math.round(outputTokens / 18)));

    const cold = this.r() < 0.03;
    const loadNs = Math.round((cold ? 800 + this.r() * 4000 : 5 + this.r() * 20) * 1e6);
    const promptEvalNs = Math.round(inputTokens * (0.3 + this.r() * 1.2) * 1e6);
    const tps = 15 + this.r() * 70;
    const evalNs = Math.round((outputTokens / tps) * 1e9);
    const queueMs = this.r() < 0.1 ? this.r() * 3000 : this.r() * 3;
    // As Ollama reports it: the wait for a slot is inside total_duration; the proxy's wall time adds
    // the network and the proxy.
    const totalNs = Math.round(queueMs * 1e6) + loadNs + promptEvalNs + evalNs + 2e6;
    const durationMs = status === 'timeout' ? 300_000 : totalNs / 1e6 + 0.4;
    const ttft = outputTokens > 0 ? queueMs + (loadNs + promptEvalNs) / 1e6 + 1 : undefined;

    let chunks: ChunkTiming[] | undefined;
    if (stream && outputTokens > 0 && ttft !== undefined) {
      const pieces = responseText.match(/\S+\s*/g) ?? [];
      const count = Math.min(pieces.length, this.maxChunks);
      chunks = [];
      const per = (durationMs - ttft) / Math.max(1, count);
      for (let c = 0; c < count; c++)
        chunks.push({
          t_ms: Math.round((ttft + c * per) * 10) / 10,
          bytes: 90 + pieces[c].length,
          text: pieces[c],
        });
      chunks.push({ t_ms: Math.round(durationMs * 10) / 10, bytes: 310 });
    }
    const ok = status === 'success';
    const record: ObservedExchange = {
      id: this.uuid(),
      method: 'POST',
      path: endpoint,
      endpoint,
      flavor: endpoint.startsWith('/v1') ? 'openai' : 'ollama',
      requested_model: model,
      user,
      session,
      client_address: `10.0.${this.zipf(8)}.${1 + this.zipf(250)}`,
      user_agent: this.pick([
        'ollama-js/0.6.3 (x64 linux Node.js/v20.20.2)',
        'OpenAI/Python 1.54.0',
        'python-requests/2.32.3',
        'curl/8.5.0',
        'open-webui/0.6.5',
      ]),
      stream,
      started_at: started,
      ttft_ms: ok || status === 'cancelled' ? ttft : undefined,
      ttfb_ms: status === 'timeout' ? undefined : (ttft ?? durationMs) - 0.2,
      ended_at: Math.round(started + durationMs),
      duration_ms: durationMs,
      status,
      http_status:
        status === 'error'
          ? this.r() < 0.5
            ? 404
            : 500
          : status === 'timeout'
            ? 504
            : status === 'cancelled'
              ? 499
              : 200,
      error_type:
        status === 'error'
          ? this.r() < 0.5
            ? 'model_not_found'
            : 'upstream_error'
          : status === 'timeout'
            ? 'timeout'
            : status === 'cancelled'
              ? 'cancelled'
              : undefined,
      error_message:
        status === 'error'
          ? `model "${model}" not found, try pulling it first`
          : status === 'timeout'
            ? 'no data from Ollama for 300000 ms'
            : undefined,
      request_bytes: JSON.stringify(prompt).length + 60,
      response_bytes: isEmbed ? 3072 * 4 : responseText.length + 300,
      prompt,
      response: isEmbed
        ? { content: '', embeddings: prompt.inputs ?? 1 }
        : ok || status === 'cancelled'
          ? { content: responseText }
          : undefined,
      options: isEmbed
        ? undefined
        : { temperature: Math.round(this.r() * 10) / 10, top_p: 0.9, num_ctx: this.pick([2048, 4096, 8192]) },
      timings:
        ok && !isEmbed
          ? {
              total_duration_ns: totalNs,
              load_duration_ns: loadNs,
              prompt_eval_count: inputTokens,
              prompt_eval_duration_ns: promptEvalNs,
              eval_count: outputTokens,
              eval_duration_ns: evalNs,
            }
          : undefined,
      done_reason: ok && !isEmbed ? (this.r() < 0.9 ? 'stop' : 'length') : undefined,
      input_tokens: status === 'error' ? undefined : inputTokens,
      output_tokens: status === 'error' ? undefined : outputTokens,
      token_source: status === 'error' ? 'none' : endpoint.startsWith('/v1') ? 'openai_usage' : 'ollama',
      chunks,
      capture_content: true,
      proxy_overhead_ms: 0.05 + this.r() * 0.2,
    };
    // The derived values (canonical model, queue, tokens/s, cost) as the tap computes them.
    return measurementRecord({ ...record, ...overrides }, this.prices);
  }
}

/** The instant recordOf's records start at unless told otherwise: fixed, so tests can compare exact values. */
export const RECORD_T0 = 1_790_000_000_000;
let recordSeq = 0;

/**
 * One plain measurement record for a test that cares about a few fields: a successful, non-streamed
 * native /api/generate exchange of `tiny` (as requested: canonical `tiny:latest`) at RECORD_T0 taking
 * 100 ms, overridden by `over`, with its derived values computed as the tap does (the cost at
 * `prices`). The path follows an overridden endpoint, and ended_at follows started_at and
 * duration_ms, so the record stays consistent. Ids are `req-1`, `req-2`, … unless given. For realistic
 * traffic use RecordFactory.
 */
export function recordOf(over: Partial<ObservedExchange> = {}, prices: PriceTable = {}): MeasurementRecord {
  const started = over.started_at ?? RECORD_T0;
  const duration = over.duration_ms ?? 100;
  const endpoint = over.endpoint ?? '/api/generate';
  return measurementRecord(
    {
      id: `req-${++recordSeq}`,
      method: 'POST',
      path: endpoint,
      endpoint,
      flavor: endpoint.startsWith('/v1/') ? 'openai' : 'ollama',
      requested_model: 'tiny',
      stream: false,
      started_at: started,
      ended_at: started + duration,
      duration_ms: duration,
      status: 'success',
      http_status: 200,
      request_bytes: 10,
      response_bytes: 100,
      token_source: 'ollama',
      capture_content: true,
      ...over,
    },
    prices
  );
}
