import { DASH, formatDuration } from '../../utils/format';

/** Display helpers of the Models page (sizes, expiry), beside the app-wide ones in utils/format. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes in binary units, as Ollama's sizes are (e.g. "4.7 GiB"). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
    return DASH;
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/**
 * When a loaded model leaves memory (epoch ms), relative to `now`: "in 4 min 3 s", "expired". Ollama reports a model
 * kept forever (keep_alive < 0) with an expiry centuries away; anything past a year reads "never".
 */
export function formatExpiresIn(expiresAt: number | null | undefined, now: number): string {
  if (expiresAt === null || expiresAt === undefined || !Number.isFinite(expiresAt)) {
    return DASH;
  }
  const ms = expiresAt - now;
  if (ms <= 0) {
    return 'expired';
  }
  if (ms > 365 * 24 * 3600 * 1000) {
    return 'never';
  }
  if (ms >= 3600 * 1000) {
    const hours = Math.floor(ms / 3_600_000);
    return `in ${hours} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  }
  return `in ${formatDuration(ms)}`;
}

/** VRAM share of a loaded model's size in [0, 1] (Ollama's size_vram of size). */
export function vramShare(size: number, sizeVram: number): number {
  return size > 0 ? Math.min(1, Math.max(0, sizeVram / size)) : 0;
}
