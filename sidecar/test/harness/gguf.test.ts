/**
 * Parses the generated GGUF back with an independent reader (written from the GGUF spec, not
 * from gguf.ts) and checks what llama.cpp relies on: header, metadata, tensor shapes, alignment.
 */
import { generateTinyLlama, TINY_LLAMA, writeGguf } from '@ollama-lens/testkit/gguf';

type Parsed = string | number | bigint | boolean | Parsed[];

interface TensorInfo {
  name: string;
  dims: bigint[];
  type: number;
  offset: bigint;
}

interface ParsedGguf {
  magic: string;
  version: number;
  tensorCount: bigint;
  kvCount: bigint;
  kv: Map<string, Parsed>;
  tensors: TensorInfo[];
  dataStart: number;
}

function parseGguf(buf: Buffer): ParsedGguf {
  let pos = 0;
  const u32 = (): number => {
    const v = buf.readUInt32LE(pos);
    pos += 4;
    return v;
  };
  const u64 = (): bigint => {
    const v = buf.readBigUInt64LE(pos);
    pos += 8;
    return v;
  };
  const str = (): string => {
    const n = Number(u64());
    const s = buf.toString('utf8', pos, pos + n);
    pos += n;
    return s;
  };
  const value = (type: number): Parsed => {
    let v: Parsed;
    switch (type) {
      case 0:
        v = buf.readUInt8(pos);
        pos += 1;
        return v;
      case 1:
        v = buf.readInt8(pos);
        pos += 1;
        return v;
      case 2:
        v = buf.readUInt16LE(pos);
        pos += 2;
        return v;
      case 3:
        v = buf.readInt16LE(pos);
        pos += 2;
        return v;
      case 4:
        return u32();
      case 5:
        v = buf.readInt32LE(pos);
        pos += 4;
        return v;
      case 6:
        v = buf.readFloatLE(pos);
        pos += 4;
        return v;
      case 7:
        v = buf.readUInt8(pos) !== 0;
        pos += 1;
        return v;
      case 8:
        return str();
      case 9: {
        const itemType = u32();
        const n = Number(u64());
        const items: Parsed[] = [];
        for (let i = 0; i < n; i++) items.push(value(itemType));
        return items;
      }
      case 10:
        return u64();
      case 11:
        v = buf.readBigInt64LE(pos);
        pos += 8;
        return v;
      case 12:
        v = buf.readDoubleLE(pos);
        pos += 8;
        return v;
      default:
        throw new Error(`unknown GGUF value type ${type} at byte ${pos}`);
    }
  };

  const magic = buf.toString('latin1', 0, 4);
  pos = 4;
  const version = u32();
  const tensorCount = u64();
  const kvCount = u64();
  const kv = new Map<string, Parsed>();
  for (let i = 0n; i < kvCount; i++) {
    const key = str();
    kv.set(key, value(u32()));
  }
  const tensors: TensorInfo[] = [];
  for (let i = 0n; i < tensorCount; i++) {
    const name = str();
    const nDims = u32();
    const dims: bigint[] = [];
    for (let d = 0; d < nDims; d++) dims.push(u64());
    tensors.push({ name, dims, type: u32(), offset: u64() });
  }
  const alignment = Number(kv.get('general.alignment') ?? 32);
  const dataStart = Math.ceil(pos / alignment) * alignment;
  return { magic, version, tensorCount, kvCount, kv, tensors, dataStart };
}

describe('GGUF writer', () => {
  const buf = generateTinyLlama({ seed: 7 });
  const g = parseGguf(buf);
  const { nEmbd, nHead, nFf } = TINY_LLAMA;

  it('writes a GGUF v3 header', () => {
    expect(buf.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(g.magic).toBe('GGUF');
    expect(g.version).toBe(3);
    expect(g.kvCount).toBe(BigInt(g.kv.size));
    expect(g.tensorCount).toBe(BigInt(g.tensors.length));
    expect(g.tensors).toHaveLength(2 + 9 + 1); // embd, output_norm, output + 9 per block
  });

  it('has the llama hyper-parameters and a consistent byte-level SPM vocab', () => {
    expect(g.kv.get('general.architecture')).toBe('llama');
    expect(g.kv.get('llama.embedding_length')).toBe(nEmbd);
    expect(g.kv.get('llama.block_count')).toBe(1);
    expect(g.kv.get('llama.attention.head_count')).toBe(nHead);
    expect(g.kv.get('llama.rope.dimension_count')).toBe(nEmbd / nHead); // llama.cpp: "invalid n_rot" otherwise
    expect(g.kv.get('llama.feed_forward_length')).toBe(nFf);
    expect(g.kv.get('llama.context_length')).toBe(2048);
    expect(g.kv.get('llama.attention.layer_norm_rms_epsilon')).toBeCloseTo(1e-5, 10);
    expect(g.kv.get('tokenizer.ggml.model')).toBe('llama');

    const tokens = g.kv.get('tokenizer.ggml.tokens') as string[];
    const types = g.kv.get('tokenizer.ggml.token_type') as number[];
    const scores = g.kv.get('tokenizer.ggml.scores') as number[];
    expect(types).toHaveLength(tokens.length);
    expect(scores).toHaveLength(tokens.length);
    expect(tokens.slice(0, 3)).toEqual(['<unk>', '<s>', '</s>']);
    expect(g.kv.get('tokenizer.ggml.bos_token_id')).toBe(1);
    expect(g.kv.get('tokenizer.ggml.eos_token_id')).toBe(2);
    for (let b = 0; b < 256; b++) {
      expect(tokens[3 + b]).toBe(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      expect(types[3 + b]).toBe(6); // BYTE
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(g.kv.get('llama.vocab_size')).toBe(tokens.length);
    expect(String(g.kv.get('tokenizer.chat_template'))).toContain('messages');
  });

  it('lays out F32 tensors on aligned, non-overlapping offsets that fill the file', () => {
    const nVocab = BigInt((g.kv.get('tokenizer.ggml.tokens') as string[]).length);
    const byName = new Map(g.tensors.map((t) => [t.name, t]));
    expect(byName.get('token_embd.weight')?.dims).toEqual([BigInt(nEmbd), nVocab]);
    expect(byName.get('output.weight')?.dims).toEqual([BigInt(nEmbd), nVocab]);
    expect(byName.get('blk.0.ffn_down.weight')?.dims).toEqual([BigInt(nFf), BigInt(nEmbd)]);
    expect(byName.get('blk.0.ffn_up.weight')?.dims).toEqual([BigInt(nEmbd), BigInt(nFf)]);

    expect(g.dataStart % 32).toBe(0);
    let end = 0n;
    for (const t of [...g.tensors].sort((a, b) => Number(a.offset - b.offset))) {
      expect(t.type).toBe(0); // F32
      expect(t.offset % 32n).toBe(0n);
      expect(t.offset).toBeGreaterThanOrEqual(end);
      end = t.offset + t.dims.reduce((a, b) => a * b, 1n) * 4n;
    }
    expect(BigInt(buf.length)).toBeGreaterThanOrEqual(BigInt(g.dataStart) + end);
    expect(BigInt(buf.length) - (BigInt(g.dataStart) + end)).toBeLessThan(32n);

    // The norms are all ones: read one back at its offset to prove offsets point at real data.
    const norm = byName.get('output_norm.weight');
    expect(norm).toBeDefined();
    const at = g.dataStart + Number(norm?.offset ?? 0);
    for (let i = 0; i < nEmbd; i++) expect(buf.readFloatLE(at + i * 4)).toBe(1);
  });

  it('is deterministic per seed, small and fast to generate', () => {
    const t0 = performance.now();
    const again = generateTinyLlama({ seed: 7 });
    const ms = performance.now() - t0;
    expect(again.equals(buf)).toBe(true);
    expect(generateTinyLlama({ seed: 8 }).equals(buf)).toBe(false);
    expect(buf.length).toBeGreaterThan(100_000);
    expect(buf.length).toBeLessThan(300_000);
    expect(ms).toBeLessThan(1000);
  });

  it('writes general.alignment when a non-default alignment is asked for', () => {
    const out = writeGguf({
      kv: [['general.architecture', { type: 'string', value: 'llama' }]],
      tensors: [
        { name: 'a', dims: [3], data: new Float32Array([1, 2, 3]) },
        { name: 'b', dims: [2, 2], data: new Float32Array([4, 5, 6, 7]) },
      ],
      alignment: 64,
    });
    const p = parseGguf(out);
    expect(p.kv.get('general.alignment')).toBe(64);
    expect(p.dataStart % 64).toBe(0);
    expect(p.tensors.map((t) => Number(t.offset))).toEqual([0, 64]);
    expect(out.readFloatLE(p.dataStart + 64 + 12)).toBe(7);
    expect(() =>
      writeGguf({ kv: [], tensors: [{ name: 'x', dims: [2], data: new Float32Array(3) }] })
    ).toThrow(/dims/);
  });
});
