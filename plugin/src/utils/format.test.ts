import { formatChange, formatCost, formatDuration, formatNumber, formatPercent, formatTime } from './format';

describe('formatting', () => {
  it('formats durations from sub-millisecond to minutes', () => {
    expect([0.25, 18.164, 999.6, 1234, 15_500, 125_000].map(formatDuration)).toEqual([
      '0.25 ms',
      '18 ms',
      '1.00 s',
      '1.23 s',
      '15.5 s',
      '2 min 5 s',
    ]);
    expect(formatDuration(null)).toBe('—');
  });

  it('formats costs with enough decimals for a single message', () => {
    expect([0, 0.000053, 0.0234, 1.5, 127.456].map(formatCost)).toEqual([
      '$0',
      '$0.0001',
      '$0.0234',
      '$1.50',
      '$127.46',
    ]);
    expect(formatCost(null)).toBe('—');
  });

  it('formats changes against the previous window', () => {
    expect([0.15, -0.08, 0, null].map(formatChange)).toEqual(['+15%', '−8%', '±0%', 'no previous data']);
    expect(formatPercent(0.0012, 2)).toBe('0.12%');
    expect(formatNumber(12453)).toBe('12,453');
    expect(formatTime(Date.UTC(2024, 0, 15, 14, 45, 23))).toBe('2024-01-15 14:45:23');
  });
});
