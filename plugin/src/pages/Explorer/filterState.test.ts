import { binRanges } from './charts/LatencyHistogram';
import { arcPath } from './charts/CategoryDonut';
import { niceMax } from './charts/TokenScatter';
import {
  emptyFilterValues,
  explorerSearch,
  fromUrlValues,
  toUrlValues,
  type ExplorerFilterValues,
} from './filterState';

describe('Explorer URL state', () => {
  const full: ExplorerFilterValues = {
    filters: {
      q: 'ocean tides',
      model: ['llama3.2:3b', 'qwen3:0.6b'],
      status: ['error'],
      category: ['code'],
      user: 'alice',
      session: 's-1',
      endpoint: '/api/chat',
      min_input_tokens: 10,
      max_input_tokens: 500,
      min_output_tokens: 0,
      max_output_tokens: 2000,
      min_latency_ms: 100,
      max_latency_ms: 250,
    },
    sort: 'latency',
    order: 'asc',
  };

  it('round-trips every filter through URL values', () => {
    const url = toUrlValues(full);
    expect(url.model).toEqual(['llama3.2:3b', 'qwen3:0.6b']);
    expect(url.min_output_tokens).toBe('0');
    expect(fromUrlValues(url, emptyFilterValues())).toEqual({ values: full, problems: [] });
  });

  it('leaves defaults and empty filters out of the URL', () => {
    const url = toUrlValues(emptyFilterValues());
    expect(Object.values(url).every((v) => v === null)).toBe(true);
  });

  it('keeps keys that are not in the update and clears keys set to null', () => {
    const { values } = fromUrlValues({ user: null, q: 'new' }, full);
    expect(values.filters.user).toBeUndefined();
    expect(values.filters.q).toBe('new');
    expect(values.filters.model).toEqual(full.filters.model);
  });

  it('reports what it ignores in a hand-edited URL', () => {
    const { values, problems } = fromUrlValues(
      { max_input_tokens: '1.5', max_latency_ms: '1.5', sort: 'price', order: 'up', model: 'a,b' },
      emptyFilterValues()
    );
    // Token counts are whole; latency may have a fraction (the contract's RANGE_FILTERS).
    expect(values.filters.max_input_tokens).toBeUndefined();
    expect(values.filters.max_latency_ms).toBe(1.5);
    expect(values.sort).toBe('time');
    expect(values.order).toBe('desc');
    expect(values.filters.model).toEqual(['a', 'b']);
    expect(problems).toEqual([
      'max_input_tokens must be a whole number ≥ 0, got "1.5"',
      'sort must be one of time, model, user, input_tokens, output_tokens, tokens, latency, got "price"',
      'order must be asc or desc, got "up"',
    ]);
  });

  it('builds Explorer links for a filter', () => {
    expect(explorerSearch({ session: 'a b' })).toBe('?session=a+b');
    expect(explorerSearch({ model: ['x', 'y'] }, { 'var-ds': 'other' })).toBe('?model=x&model=y&var-ds=other');
    expect(explorerSearch({})).toBe('');
  });
});

describe('chart geometry', () => {
  it('turns histogram edges into clickable latency ranges', () => {
    expect(
      binRanges([
        { le_ms: 100, count: 1 },
        { le_ms: 250, count: 0 },
        { le_ms: null, count: 2 },
      ])
    ).toEqual([
      { min: undefined, max: 100, label: '≤ 100 ms' },
      { min: 100, max: 250, label: '100 ms – 250 ms' },
      { min: 250, max: undefined, label: '> 250 ms' },
    ]);
  });

  it('rounds axis maxima up to 1, 2 or 5 × 10ⁿ', () => {
    expect([1, 3, 7, 10, 11, 180, 4999].map(niceMax)).toEqual([1, 5, 10, 10, 20, 200, 5000]);
  });

  it('draws a full ring as two arcs (one arc cannot close a circle)', () => {
    expect(arcPath(0, Math.PI / 2).match(/A /g)).toHaveLength(2);
    expect(arcPath(0, Math.PI * 2).match(/A /g)).toHaveLength(4);
  });
});
