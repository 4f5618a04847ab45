import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { ScatterPoint } from '../../../api/types';
import { formatCost, formatDuration, formatNumber } from '../../../utils/format';
import { ChartFrame } from './ChartFrame';

interface Props {
  points: ScatterPoint[];
  onOpen: (id: string) => void;
}

const W = 480;
const H = 220;
const PAD = { left: 44, right: 12, top: 8, bottom: 28 };

/** Input vs output tokens per message (a sample of ≤ 500); colour = model, size = cost; a click opens the message. */
export function TokenScatter({ points, onOpen }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const usable = points.filter((p) => p.input_tokens !== null && p.output_tokens !== null);
  const maxX = niceMax(Math.max(1, ...usable.map((p) => p.input_tokens ?? 0)));
  const maxY = niceMax(Math.max(1, ...usable.map((p) => p.output_tokens ?? 0)));
  const maxCost = Math.max(0, ...usable.map((p) => p.cost ?? 0));
  const models = Array.from(new Set(usable.map((p) => p.model ?? 'unknown')));
  const palette = theme.visualization.palette;
  const colorOf = (model: string) =>
    theme.visualization.getColorByName(palette[models.indexOf(model) % palette.length]);
  const x = (v: number) => PAD.left + (v / maxX) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / maxY) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.5, 1];

  return (
    <ChartFrame title="Token usage" empty={usable.length === 0} hint="Click a point to open the message">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className={styles.svg}
        role="img"
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
          const label = `Open message ${p.id}: ${p.model ?? 'unknown model'}, ${p.input_tokens} in / ${p.output_tokens} out, ${formatDuration(p.duration_ms)}, ${formatCost(p.cost)}`;
          return (
            <circle
              key={p.id}
              cx={x(p.input_tokens ?? 0)}
              cy={y(p.output_tokens ?? 0)}
              r={r}
              fill={colorOf(p.model ?? 'unknown')}
              fillOpacity={0.75}
              className={styles.point}
              role="link"
              tabIndex={0}
              aria-label={label}
              onClick={() => onOpen(p.id)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onOpen(p.id)}
            >
              <title>{label}</title>
            </circle>
          );
        })}
      </svg>
      <div className={styles.legend}>
        {models.map((m) => (
          <span key={m} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: colorOf(m) }} />
            {m}
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
