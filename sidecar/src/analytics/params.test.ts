import { BOUNDS } from '@ollama-lens/contracts';
import { FilterQuery, IntervalSeconds } from '@ollama-lens/contracts/schemas';
import { checkNumbers, clampTo, HttpError, parseFilters } from './params';

describe('parameter bounds', () => {
  const props = { ...FilterQuery.properties, interval: IntervalSeconds };

  test('numbers must be plain finite decimals', () => {
    for (const ok of ['0', '-0', '12', '1.5', '1e3', '1715000000000'])
      expect(() => checkNumbers({ from: ok, min_latency_ms: [ok] }, props)).not.toThrow();
    for (const bad of [
      'Infinity',
      '-Infinity',
      '1e400',
      '0x10',
      '0b1',
      '0o7',
      ' 1',
      '1 ',
      '+1',
      '01',
      '1.',
      'NaN',
      '1_000',
    ]) {
      expect(() => checkNumbers({ interval: bad }, props)).toThrow(HttpError);
      expect(() => checkNumbers({ to: ['5', bad] }, props)).toThrow(
        /querystring\/to must be a finite decimal number/
      );
    }
    // Strings parameters are not numbers, unknown keys are someone else's business.
    expect(() => checkNumbers({ q: 'Infinity', nope: '0x10' }, props)).not.toThrow();
  });

  test('a non-finite filter that got past Ajv is a 400, not a query', () => {
    expect(() => parseFilters({ min_latency_ms: Infinity })).toThrow(
      /min_latency_ms must be a finite number/
    );
    expect(() => parseFilters({ to: -Infinity })).toThrow(HttpError);
  });

  test('to is clamped to a little past now, so "now+1h" works and 2099 costs no more', () => {
    const now = 1_750_000_000_000;
    expect(clampTo(undefined, now)).toBeUndefined();
    expect(clampTo(now + 3_600_000, now)).toBe(now + 3_600_000);
    expect(clampTo(BOUNDS.epochMsMax, now)).toBe(now + BOUNDS.futureSlackMs);
    const f = parseFilters({ from: 5, to: BOUNDS.epochMsMax });
    expect(f.from).toBe(5);
    expect(f.to).toBeLessThanOrEqual(Date.now() + BOUNDS.futureSlackMs);
    expect(f.to).toBeGreaterThan(Date.now());
  });

  test('every numeric filter in the schema has a finite maximum, every string a maxLength, every list maxItems', () => {
    for (const [name, p] of Object.entries(props) as [string, Record<string, unknown>][]) {
      if (p.type === 'integer' || p.type === 'number')
        expect({ name, max: Number.isFinite(p.maximum) }).toEqual({ name, max: true });
      if (p.type === 'string') expect({ name, max: typeof p.maxLength }).toEqual({ name, max: 'number' });
      if (p.type === 'array') expect({ name, max: typeof p.maxItems }).toEqual({ name, max: 'number' });
    }
    expect(BOUNDS.epochMsMax).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});

test('a NUL in the search text is a word break, not the end of the FTS5 query', () => {
  expect(parseFilters({ q: 'a\0b' }).q).toBe('a b');
});
