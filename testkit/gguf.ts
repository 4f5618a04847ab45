/**
 * A minimal GGUF v3 writer and a generator for a tiny random-weight llama model.
 *
 * Why our own model: the tests need a real Ollama that really runs inference, and nothing can be
 * downloaded here. A 1-block, 32-dim llama with a byte-level vocabulary loads in well under a
 * second on a CPU and answers generate, chat, embed and the /v1 routes.
 *
 * Format reference: ggml docs/gguf.md. All integers little-endian; strings are a u64 byte length
 * followed by UTF-8 bytes (no terminator); tensor data offsets are relative to the start of the
 * data section, which itself starts at the first aligned offset after the tensor infos.
 */

import { mulberry32 } from './random';

/** GGUF metadata value type ids (gguf_type). */
export const GGUF_VALUE_TYPE = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufNumberType =
  'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type GgufBigIntType = 'uint64' | 'int64';

export type GgufScalar =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string };

export type GgufArray =
  | { type: 'array'; itemType: GgufNumberType; values: readonly number[] }
  | { type: 'array'; itemType: GgufBigIntType; values: readonly bigint[] }
  | { type: 'array'; itemType: 'bool'; values: readonly boolean[] }
  | { type: 'array'; itemType: 'string'; values: readonly string[] };

export type GgufValue = GgufScalar | GgufArray;

/** Only F32 tensors: the model is tiny, so quantisation would buy nothing and add risk. */
export const GGML_TYPE_F32 = 0;

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the fastest-varying (row length). */
  dims: readonly number[];
  data: Float32Array;
}

export interface GgufFile {
  /** Written in this order; `general.alignment` is added when `alignment` is not the default 32. */
  kv: ReadonlyArray<readonly [string, GgufValue]>;
  tensors: readonly GgufTensor[];
  alignment?: number;
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Growable little-endian byte sink: GGUF headers are small, so simple doubling is plenty. */
class ByteWriter {
  private buf = Buffer.alloc(4096);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
  }
  i8(v: number): void {
    this.reserve(1);
    this.buf.writeInt8(v, this.len);
    this.len += 1;
  }
  u16(v: number): void {
    this.reserve(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  i16(v: number): void {
    this.reserve(2);
    this.buf.writeInt16LE(v, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
  }
  f32(v: number): void {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.len);
    this.len += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }
  u64(v: bigint | number): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.len);
    this.len += 8;
  }
  i64(v: bigint): void {
    this.reserve(8);
    this.buf.writeBigInt64LE(v, this.len);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    const target = alignUp(this.len, alignment);
    this.reserve(target - this.len);
    this.buf.fill(0, this.len, target);
    this.len = target;
  }
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function writeNumber(w: ByteWriter, type: GgufNumberType, v: number): void {
  switch (type) {
    case 'uint8':
      return w.u8(v);
    case 'int8':
      return w.i8(v);
    case 'uint16':
      return w.u16(v);
    case 'int16':
      return w.i16(v);
    case 'uint32':
      return w.u32(v);
    case 'int32':
      return w.i32(v);
    case 'float32':
      return w.f32(v);
    case 'float64':
      return w.f64(v);
  }
}

function writeBigInt(w: ByteWriter, type: GgufBigIntType, v: bigint): void {
  if (type === 'uint64') w.u64(v);
  else w.i64(v);
}

function writeArrayItems(w: ByteWriter, v: GgufArray): void {
  // Switch on the discriminant so each branch sees its own element type.
  switch (v.itemType) {
    case 'string':
      for (const s of v.values) w.str(s);
      return;
    case 'bool':
      for (const b of v.values) w.u8(b ? 1 : 0);
      return;
    case 'uint64':
    case 'int64':
      for (const n of v.values) writeBigInt(w, v.itemType, n);
      return;
    default:
      for (const n of v.values) writeNumber(w, v.itemType, n);
  }
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  w.u32(GGUF_VALUE_TYPE[v.type]);
  switch (v.type) {
    case 'string':
      return w.str(v.value);
    case 'bool':
      return w.u8(v.value ? 1 : 0);
    case 'uint64':
    case 'int64':
      return writeBigInt(w, v.type, v.value);
    case 'array': {
      w.u32(GGUF_VALUE_TYPE[v.itemType]);
      w.u64(v.values.length);
      writeArrayItems(w, v);
      return;
    }
    default:
      return writeNumber(w, v.type, v.value);
  }
}

/** Serialise a GGUF v3 file. Pure: the same input always gives the same bytes. */
export function writeGguf(file: GgufFile): Buffer {
  const alignment = file.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const kv: Array<readonly [string, GgufValue]> = [...file.kv];
  if (alignment !== GGUF_DEFAULT_ALIGNMENT && !kv.some(([k]) => k === 'general.alignment')) {
    kv.push(['general.alignment', { type: 'uint32', value: alignment }]);
  }
  const names = new Set<string>();
  for (const t of file.tensors) {
    if (names.has(t.name)) throw new Error(`duplicate tensor ${t.name}`);
    names.add(t.name);
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`tensor ${t.name}: dims ${t.dims.join('x')} != ${t.data.length} values`);
  }

  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(file.tensors.length);
  w.u64(kv.length);
  for (const [key, value] of kv) {
    w.str(key);
    writeValue(w, value);
  }

  // Each tensor starts on an aligned offset inside the data section.
  const offsets: number[] = [];
  let dataSize = 0;
  for (const t of file.tensors) {
    dataSize = alignUp(dataSize, alignment);
    offsets.push(dataSize);
    dataSize += t.data.byteLength;
  }
  file.tensors.forEach((t, i) => {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPE_F32);
    w.u64(offsets[i]);
  });
  w.padTo(alignment);

  const header = w.toBuffer();
  const out = Buffer.alloc(header.length + alignUp(dataSize, alignment));
  header.copy(out, 0);
  file.tensors.forEach((t, i) => {
    // Copy via a little-endian view so the bytes do not depend on the host's endianness.
    const base = header.length + offsets[i];
    for (let j = 0; j < t.data.length; j++) out.writeFloatLE(t.data[j], base + j * 4);
  });
  return out;
}

/** Token types of llama.cpp's vocab (llama_token_type). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/**
 * Word tokens after the byte tokens. Random weights would otherwise emit arbitrary bytes
 * (control characters, broken UTF-8); the output layer below is built so that only these
 * tokens are likely, which makes every answer readable text.
 */
const WORDS = [
  '▁',
  '▁the',
  '▁a',
  '▁of',
  '▁and',
  '▁to',
  '▁in',
  '▁is',
  '▁it',
  '▁on',
  '▁cat',
  '▁dog',
  '▁sat',
  '▁mat',
  '▁sun',
  '▁moon',
  '▁red',
  '▁blue',
  '▁green',
  '▁small',
  '▁big',
  '▁tree',
  '▁house',
  '▁river',
  '▁hello',
  '▁world',
  '▁lens',
  '▁llama',
  '▁runs',
  '▁jumps',
  '▁sleeps',
  '▁sings',
  '▁fast',
  '▁slow',
  '▁happy',
  '▁quiet',
  '▁data',
  '▁model',
  '▁token',
  '▁light',
  '.',
  ',',
  '!',
  '?',
];

export const TINY_LLAMA = {
  nEmbd: 32,
  nHead: 2,
  nHeadKv: 2,
  nFf: 64,
  nBlock: 1,
  contextLength: 2048,
  rmsEps: 1e-5,
  unkId: 0,
  bosId: 1,
  eosId: 2,
} as const;

/** Jinja template for tools that read GGUF metadata; Ollama itself uses the Go TEMPLATE below. */
export const TINY_JINJA_TEMPLATE =
  // The leading comment keeps Ollama's template autodetection (closest known template within
  // 100 edits) from taking this for chatml and adding chatml stop words.
  '{#- ollama-lens tiny-random-llama: each message as <|role|> newline content newline -#}\n' +
  "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}" +
  '{% if add_generation_prompt %}<|assistant|>\n{% endif %}';

/**
 * Ollama Go template. Vars that Ollama inspects: `.Messages` (chat path), `.Tools` (gives the
 * "tools" capability), `.Suffix` (gives "insert"), `.ToolCalls` inside an `if` followed by text
 * (the tool-call tag, here `<tool_call>`). No thinking tags, so think:true is rejected with 400.
 */
export const TINY_OLLAMA_TEMPLATE = `{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>
{{- else }}
{{- if .Tools }}<|tools|>
{{ json .Tools }}
{{ end }}
{{- range .Messages }}<|{{ .Role }}|>
{{ .Content }}
{{- if .ToolCalls }}<tool_call>{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ json .Function.Arguments }}}{{ end }}</tool_call>{{ end }}
{{ end }}<|assistant|>
{{ end }}`;

export interface TinyLlamaOptions {
  seed?: number;
  /**
   * An embedding model: `llama.pooling_type` (1, mean) is set, which Ollama reads as the "embedding"
   * capability instead of "completion" (it then refuses /api/generate and /api/chat for it).
   */
  embedding?: boolean;
}

export function tinyVocab(): { tokens: string[]; scores: number[]; types: number[]; wordIds: number[] } {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const scores: number[] = [0, 0, 0];
  const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    scores.push(0);
    types.push(TOKEN_TYPE.byte);
  }
  const wordIds: number[] = [];
  WORDS.forEach((word, i) => {
    wordIds.push(tokens.length);
    tokens.push(word);
    scores.push(-1 - i); // SPM merges prefer higher scores; only relative order matters
    types.push(TOKEN_TYPE.normal);
  });
  return { tokens, scores, types, wordIds };
}

/**
 * A random-weight llama (1 block, 32-dim, ~300-token SPM vocab, F32): ~125 KB, deterministic per seed.
 *
 * Weights are random but shaped so generation yields words: embedding channel 0 is a constant
 * 1 that no block writes to (attn_output and ffn_down have a zero row 0), so after the final
 * RMS norm it acts as a bias input; the output row of every non-word token puts a large
 * negative weight on it, pushing those logits far below the word tokens'.
 */
export function generateTinyLlama(opts: TinyLlamaOptions = {}): Buffer {
  const rand = mulberry32(opts.seed ?? 42);
  // Approximately normal: the sum of 4 uniforms has variance 4/12, rescaled to 1.
  const normal = (): number => (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3);
  const { nEmbd, nHead, nHeadKv, nFf, nBlock, contextLength, rmsEps } = TINY_LLAMA;
  const headDim = nEmbd / nHead;
  const { tokens, scores, types, wordIds } = tinyVocab();
  const nVocab = tokens.length;
  const isWord = new Set(wordIds);

  const randomMatrix = (cols: number, rows: number, std: number): Float32Array => {
    const a = new Float32Array(cols * rows);
    for (let i = 0; i < a.length; i++) a[i] = normal() * std;
    return a;
  };
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  /** Zero output row `row` of a [cols, rows] matrix (row-major by ggml's dims[1]). */
  const zeroRow = (m: Float32Array, cols: number, row: number): Float32Array => {
    m.fill(0, row * cols, (row + 1) * cols);
    return m;
  };

  const tokenEmbd = randomMatrix(nEmbd, nVocab, 1);
  for (let t = 0; t < nVocab; t++) tokenEmbd[t * nEmbd] = 1; // the constant "bias" channel

  const output = new Float32Array(nEmbd * nVocab);
  for (let t = 0; t < nVocab; t++) {
    const row = t * nEmbd;
    if (isWord.has(t)) for (let d = 1; d < nEmbd; d++) output[row + d] = normal() * 0.5;
    else output[row] = -12;
  }

  const tensors: GgufTensor[] = [{ name: 'token_embd.weight', dims: [nEmbd, nVocab], data: tokenEmbd }];
  const projStd = 1 / Math.sqrt(nEmbd);
  for (let b = 0; b < nBlock; b++) {
    const p = `blk.${b}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `${p}attn_q.weight`, dims: [nEmbd, nEmbd], data: randomMatrix(nEmbd, nEmbd, projStd) },
      {
        name: `${p}attn_k.weight`,
        dims: [nEmbd, headDim * nHeadKv],
        data: randomMatrix(nEmbd, headDim * nHeadKv, projStd),
      },
      {
        name: `${p}attn_v.weight`,
        dims: [nEmbd, headDim * nHeadKv],
        data: randomMatrix(nEmbd, headDim * nHeadKv, projStd),
      },
      {
        name: `${p}attn_output.weight`,
        dims: [nEmbd, nEmbd],
        data: zeroRow(randomMatrix(nEmbd, nEmbd, projStd * 0.5), nEmbd, 0),
      },
      { name: `${p}ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `${p}ffn_gate.weight`, dims: [nEmbd, nFf], data: randomMatrix(nEmbd, nFf, projStd) },
      { name: `${p}ffn_up.weight`, dims: [nEmbd, nFf], data: randomMatrix(nEmbd, nFf, projStd) },
      {
        name: `${p}ffn_down.weight`,
        dims: [nFf, nEmbd],
        data: zeroRow(randomMatrix(nFf, nEmbd, 0.5 / Math.sqrt(nFf)), nFf, 0),
      }
    );
  }
  tensors.push(
    { name: 'output_norm.weight', dims: [nEmbd], data: ones(nEmbd) },
    { name: 'output.weight', dims: [nEmbd, nVocab], data: output }
  );

  const parameterCount = tensors.reduce((n, t) => n + t.data.length, 0);
  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const kv: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'tiny-random-llama' }],
    ['general.file_type', u32(0)], // ALL_F32
    ['general.parameter_count', { type: 'uint64', value: BigInt(parameterCount) }],
    ['llama.context_length', u32(contextLength)],
    ['llama.embedding_length', u32(nEmbd)],
    ['llama.block_count', u32(nBlock)],
    ['llama.feed_forward_length', u32(nFf)],
    ['llama.attention.head_count', u32(nHead)],
    ['llama.attention.head_count_kv', u32(nHeadKv)],
    ['llama.rope.dimension_count', u32(headDim)], // llama.cpp rejects any value but n_embd / n_head
    ['llama.rope.freq_base', { type: 'float32', value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: rmsEps }],
    ['llama.vocab_size', u32(nVocab)],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: tokens }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'float32', values: scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'int32', values: types }],
    ['tokenizer.ggml.unknown_token_id', u32(TINY_LLAMA.unkId)],
    ['tokenizer.ggml.bos_token_id', u32(TINY_LLAMA.bosId)],
    ['tokenizer.ggml.eos_token_id', u32(TINY_LLAMA.eosId)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: TINY_JINJA_TEMPLATE }],
    ...(opts.embedding ? [['llama.pooling_type', u32(1)] as const] : []),
  ];
  return writeGguf({ kv, tensors });
}
