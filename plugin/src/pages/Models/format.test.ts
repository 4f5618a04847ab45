import { formatBytes, formatExpiresIn, vramShare } from './format';

describe('Models page formatting', () => {
  it('writes sizes in binary units, and — for what is unknown', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(4.7 * 1024 ** 3)).toBe('4.70 GiB');
    expect(formatBytes(123.4 * 1024 ** 2)).toBe('123.4 MiB');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(NaN)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });

  it('says when a loaded model expires, relative to now', () => {
    const now = Date.parse('2026-12-01T03:00:00Z');
    expect(formatExpiresIn(Date.parse('2026-12-01T03:04:03Z'), now)).toBe('in 4 min 3 s');
    expect(formatExpiresIn(Date.parse('2026-12-01T03:00:30Z'), now)).toBe('in 30.0 s');
    expect(formatExpiresIn(Date.parse('2026-12-01T05:30:00Z'), now)).toBe('in 2 h 30 min');
    expect(formatExpiresIn(Date.parse('2026-12-01T02:59:59Z'), now)).toBe('expired');
    // keep_alive: -1 — Ollama reports an expiry centuries away.
    expect(formatExpiresIn(Date.parse('2318-03-10T12:00:00Z'), now)).toBe('never');
    expect(formatExpiresIn(NaN, now)).toBe('—');
    expect(formatExpiresIn(null, now)).toBe('—');
  });

  it('computes the VRAM share of a loaded model, bounded to [0, 1]', () => {
    expect(vramShare(100, 100)).toBe(1);
    expect(vramShare(100, 25)).toBe(0.25);
    expect(vramShare(100, 0)).toBe(0);
    expect(vramShare(0, 0)).toBe(0);
    expect(vramShare(100, 150)).toBe(1);
  });
});
