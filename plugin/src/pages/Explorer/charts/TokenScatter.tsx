import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { ScatterPoint } from '@ollama-lens/contracts';
import { formatCost, formatDuration, formatNumber } from '../../../utils/format';
import { plainText } from '../../../utils/text';
import { ChartFrame } from './ChartFrame';

interface Props {
  points: ScatterPoint[];
  onOpen: (id: string) => void;
}

const W = 480;
const H = 220;
const PAD = { left: 44, right: 12, top: 8, bottom: 28 };

/** Marker shapes, one per model (in order of appearance), repeating after five models. */
export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross'] as const;
export type Shape = (typeof SHAPES)[number];

/** SVG path of a marker of about the same area for every shape, centred on (cx, cy). */
export function shapePath(shape: Shape, cx: number, cy: number, r: number): string {
  const f = (n: number) => n.toFixed(2);
  switch (shape) {
    case 'circle':
      return `M ${f(cx - r)} ${f(cy)} a ${f(r)} ${f(r)} 0 1 0 ${f(2 * r)} 0 a ${f(r)} ${f(r)} 0 1 0 ${f(-2 * r)} 0 Z`;
    case 'square': {
      const h = r * 0.89;
      return `M ${f(cx - h)} ${f(cy - h)} h ${f(2 * h)} v ${f(2 * h)} h ${f(-2 * h)} Z`;
    }
    case 'triangle': {
      const h = r * 1.35;
      return `M ${f(cx)} ${f(cy - h)} L ${f(cx + h)} ${f(cy + h * 0.75)} L ${f(cx - h)} ${f(cy + h * 0.75)} Z`;
    }
    case 'diamond': {
      const h = r * 1.25;
      return `M ${f(cx)} ${f(cy - h)} L ${f(cx + h)} ${f(cy)} L ${f(cx)} ${f(cy + h)} L ${f(cx - h)} ${f(cy)} Z`;
    }
    case 'cross': {
      const a = r * 1.2;
      const b = r * 0.4;
      return `M ${f(cx - b)} ${f(cy - a)} h ${f(2 * b)} v ${f(a - b)} h ${f(a - b)} v ${f(2 * b)} h ${f(b - a)} v ${f(a - b)} h ${f(-2 * b)} v ${f(b - a)} h ${f(b - a)} v ${f(-2 * b)} h ${f(a - b)} Z`;
    }
  }
}

/** Latency bands for the colour of a point: fast is green, slow is red (seed 000: colour = latency). */
export const LATENCY_BANDS: ReadonlyArray<{ upToMs: number; color: string; label: string }> = [
  { upToMs: 1000, color: 'green', label: '< 1 s' },
  { upToMs: 5000, color: 'yellow', label: '1–5 s' },
  { upToMs: 20000, color: 'orange', label: '5–20 s' },
  { upToMs: Infinity, color: 'red', label: '≥ 20 s' },
];

export function latencyBand(ms: number | null): (typeof LATENCY_BANDS)[number] {
  return LATENCY_BANDS.find((b) => (ms ?? 0) < b.upToMs) ?? LATENCY_BANDS[LATENCY_BANDS.length - 1];
}

/**
 * Input vs output tokens per message (a sample of ≤ 500): colour = latency, shape = model, size = cost;
 * a click (or Enter on a focused point) opens the message.
 */
export function TokenScatter({ points, onOpen }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const usable = points.filter((p) => p.input_tokens !== null && p.output_tokens !== null);
  const maxX = niceMax(Math.max(1, ...usable.map((p) => p.input_tokens ?? 0)));
  const maxY = niceMax(Math.max(1, ...usable.map((p) => p.output_tokens ?? 0)));
  const maxCost = Math.max(0, ...usable.map((p) => p.cost ?? 0));
  const models = Array.from(new Set(usable.map((p) => p.model ?? 'unknown')));
  const shapeOf = (model: string): Shape => SHAPES[models.indexOf(model) % SHAPES.length];
  const colorOf = (ms: number | null) => theme.visualization.getColorByName(latencyBand(ms).color);
  const x = (v: number) => PAD.left + (v / maxX) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / maxY) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.5, 1];

  return (
    <ChartFrame title="Token usage" empty={usable.length === 0} hint="Click a point to open the message">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className={styles.svg}
        role="group"
        aria-label="Input versus output tokens per message"
      >
        {ticks.map((t) => (
          <g key={`x${t}`} className={styles.axis}>
            <line
              x1={x(t * maxX)}
              x2={x(t * maxX)}
              y1={PAD.top}
              y2={H - PAD.bottom}
              stroke={theme.colors.border.weak}
            />
            <text x={x(t * maxX)} y={H - PAD.bottom + 14} textAnchor="middle" fill={theme.colors.text.secondary}>
              {formatNumber(t * maxX)}
            </text>
          </g>
        ))}
        {ticks.map((t) => (
          <g key={`y${t}`} className={styles.axis}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y(t * maxY)}
              y2={y(t * maxY)}
              stroke={theme.colors.border.weak}
            />
            <text x={PAD.left - 6} y={y(t * maxY) + 4} textAnchor="end" fill={theme.colors.text.secondary}>
              {formatNumber(t * maxY)}
            </text>
          </g>
        ))}
        <text
          x={(W + PAD.left) / 2}
          y={H - 2}
          textAnchor="middle"
          className={styles.axis}
          fill={theme.colors.text.secondary}
        >
          input tokens
        </text>
        <text
          x={10}
          y={PAD.top + 4}
          className={styles.axis}
          fill={theme.colors.text.secondary}
          transform={`rotate(90 10 ${PAD.top + 4})`}
        >
          output tokens
        </text>
        {usable.map((p) => {
          const r = maxCost > 0 && p.cost ? 3 + 6 * Math.sqrt(p.cost / maxCost) : 4;
          const model = p.model ?? 'unknown';
          const label = `Open message ${p.id}: ${plainText(model)}, ${p.input_tokens} in / ${p.output_tokens} out, ${formatDuration(p.duration_ms)}, ${formatCost(p.cost)}`;
          return (
            <path
              key={p.id}
              d={shapePath(shapeOf(model), x(p.input_tokens ?? 0), y(p.output_tokens ?? 0), r)}
              data-shape={shapeOf(model)}
              data-latency-band={latencyBand(p.duration_ms).label}
              fill={colorOf(p.duration_ms)}
              fillOpacity={0.8}
              stroke={theme.colors.background.primary}
              strokeWidth={0.5}
              className={styles.point}
              role="link"
              tabIndex={0}
              aria-label={label}
              onClick={() => onOpen(p.id)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onOpen(p.id)}
            >
              <title>{label}</title>
            </path>
          );
        })}
      </svg>
      <div className={styles.legend} aria-label="Legend">
        {models.map((m) => (
          <span key={m} className={styles.legendItem}>
            <svg width={12} height={12} viewBox="0 0 12 12" aria-hidden="true">
              <path d={shapePath(shapeOf(m), 6, 6, 4)} fill={theme.colors.text.secondary} />
            </svg>
            {plainText(m)}
          </span>
        ))}
        <span className={styles.legendItem}>latency:</span>
        {LATENCY_BANDS.map((b) => (
          <span key={b.label} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: theme.visualization.getColorByName(b.color) }} />
            {b.label}
          </span>
        ))}
      </div>
    </ChartFrame>
  );
}

/** Rounds an axis maximum up to 1, 2 or 5 × 10ⁿ. */
export function niceMax(value: number): number {
  const exp = Math.pow(10, Math.floor(Math.log10(value)));
  for (const m of [1, 2, 5, 10]) {
    if (m * exp >= value) {
      return m * exp;
    }
  }
  return 10 * exp;
}

const getStyles = (theme: GrafanaTheme2) => ({
  svg: css({ width: '100%', height: 'auto', maxHeight: 260 }),
  axis: css({ fontSize: 10 }),
  point: css({
    cursor: 'pointer',
    '&:hover, &:focus': { stroke: theme.colors.text.primary, strokeWidth: 2, outline: 'none' },
  }),
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  legendItem: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  swatch: css({ width: 10, height: 10, borderRadius: '50%', display: 'inline-block' }),
});
