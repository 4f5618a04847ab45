import { costOf, costSplitOf } from './cost';

const prices = {
  'llama3.2': { input: 0.1, output: 0.4 },
  'qwen:7b': { input: 1, output: 2 },
  '*': { input: 0.5, output: 1.5 },
};

describe('costOf (USD per million tokens)', () => {
  it('prices input and output tokens separately', () => {
    expect(costOf(prices, 'qwen:7b', 1_000_000, 500_000)).toBe(2);
    expect(costOf(prices, 'llama3.2', 2000, 1000)).toBeCloseTo(0.0002 + 0.0004, 15);
  });

  it('treats a name without a tag and its :latest form as one model', () => {
    expect(costOf(prices, 'llama3.2:latest', 1_000_000, 0)).toBe(0.1);
    expect(costOf({ 'tiny:latest': { input: 3, output: 0 } }, 'tiny', 1_000_000, 0)).toBe(3);
  });

  it('falls back to the * price, and is unknown without one', () => {
    expect(costOf(prices, 'mistral', 1_000_000, 1_000_000)).toBe(2);
    expect(costOf(prices, undefined, 1_000_000, 0)).toBe(0.5);
    expect(costOf({ 'llama3.2': prices['llama3.2'] }, 'mistral', 10, 10)).toBeUndefined();
    expect(costOf({}, 'llama3.2', 10, 10)).toBeUndefined();
  });

  it('is unknown without token counts, and counts a missing side as zero', () => {
    expect(costOf(prices, 'qwen:7b', undefined, undefined)).toBeUndefined();
    expect(costOf(prices, 'qwen:7b', undefined, 1_000_000)).toBe(2);
    expect(costOf(prices, 'qwen:7b', 0, 0)).toBe(0);
  });

  it('does not find prices on Object.prototype', () => {
    expect(costOf({}, 'constructor', 10, 10)).toBeUndefined();
    expect(costOf({}, 'toString', 10, 10)).toBeUndefined();
  });
});

describe('costSplitOf', () => {
  it('splits the cost into the prompt’s and the answer’s parts, the total as costOf has it', () => {
    const prices = { 'llama3.2': { input: 0.1, output: 0.4 } };
    expect(costSplitOf(prices, 'llama3.2:latest', 1000, 250)).toEqual({
      total: costOf(prices, 'llama3.2:latest', 1000, 250),
      input: (1000 * 0.1) / 1e6,
      output: (250 * 0.4) / 1e6,
    });
    expect(costSplitOf(prices, 'other', 10, 10)).toBeUndefined();
    expect(costSplitOf(prices, 'llama3.2', undefined, undefined)).toBeUndefined();
    expect(costSplitOf(prices, 'llama3.2', undefined, 100)).toMatchObject({ input: 0 });
  });
});
