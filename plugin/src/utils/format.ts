import { dateTimeFormat } from '@grafana/data';

/** Display helpers: one place decides how numbers look across pages (— for unknown, never "NaN"). */

export const DASH = '—';

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return DASH;
  }
  if (ms < 1) {
    return `${ms.toFixed(2)} ms`;
  }
  if (ms < 999.5) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

export function formatNumber(value: number | null | undefined, decimals = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return DASH;
  }
  return value.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
}

/** USD with enough decimals for per-message costs (fractions of a cent). */
export function formatCost(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return DASH;
  }
  if (value === 0) {
    return '$0';
  }
  const decimals = value >= 100 ? 2 : value >= 1 ? 3 : 4;
  return `$${value.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: Math.min(2, decimals) })}`;
}

export function formatPercent(fraction: number | null | undefined, decimals = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) {
    return DASH;
  }
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** Relative change as "+15%" / "−8%"; null (no previous data) as "no previous data". */
export function formatChange(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) {
    return 'no previous data';
  }
  const pct = Math.round(fraction * 1000) / 10;
  if (pct === 0) {
    return '±0%';
  }
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct)}%`;
}

export function formatTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) {
    return DASH;
  }
  return dateTimeFormat(epochMs, { format: 'YYYY-MM-DD HH:mm:ss' });
}

export function nsToMs(ns: number | null | undefined): number | null {
  return ns === null || ns === undefined || !Number.isFinite(ns) ? null : ns / 1e6;
}

export function formatTokens(input: number | null | undefined, output: number | null | undefined): string {
  return `${formatNumber(input)} / ${formatNumber(output)}`;
}
