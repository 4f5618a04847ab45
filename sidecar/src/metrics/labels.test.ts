import { BoundedLabel, normalizeModelName, OTHER, UNKNOWN } from './labels';

describe('normalizeModelName', () => {
  it.each([
    ['llama3.2', 'llama3.2:latest'],
    ['llama3.2:latest', 'llama3.2:latest'],
    ['qwen2.5:7b-instruct-q4_K_M', 'qwen2.5:7b-instruct-q4_K_M'],
    ['hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF', 'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:latest'],
    ['registry.local:5000/team/model', 'registry.local:5000/team/model:latest'],
    ['registry.local:5000/team/model:v2', 'registry.local:5000/team/model:v2'],
    ['model@sha256:abc', 'model@sha256:abc'],
    ['  tiny  ', 'tiny:latest'],
    ['', UNKNOWN],
    ['   ', UNKNOWN],
    [undefined, UNKNOWN],
  ])('%p → %p', (raw, label) => {
    expect(normalizeModelName(raw)).toBe(label);
  });
});

describe('BoundedLabel', () => {
  it('admits the first N values and maps later ones to other', () => {
    const l = new BoundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => l.value(v))).toEqual(['a', 'b', OTHER, 'a', OTHER, 'b']);
    expect(l.size).toBe(2);
  });

  it('always admits pinned values and unknown, without using up the limit', () => {
    const l = new BoundedLabel(1);
    l.pin('installed');
    expect(l.value('installed')).toBe('installed');
    expect(l.value(UNKNOWN)).toBe(UNKNOWN);
    expect(l.value('x')).toBe('x');
    expect(l.value('y')).toBe(OTHER);
    expect(l.value('installed')).toBe('installed');
  });
});
