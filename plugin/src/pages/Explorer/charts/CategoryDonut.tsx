import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { Bucket } from '@ollama-lens/contracts';
import { formatNumber, formatPercent } from '../../../utils/format';
import { ChartFrame } from './ChartFrame';

interface Props {
  buckets: Bucket[];
  selected: string[];
  onSelect: (category: string) => void;
}

const SIZE = 160;
const R_OUTER = 78;
const R_INNER = 48;

/** Share of messages per prompt category; a click on a slice (or its legend entry) filters by it. */
export function CategoryDonut({ buckets, selected, onSelect }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  // Every stored message has a category, so no category bucket has a null key (the API's bucket type
  // allows one for the model and user breakdowns).
  const shown = buckets.filter((b): b is Bucket & { key: string } => b.key !== null && b.messages > 0);
  const total = shown.reduce((sum, b) => sum + b.messages, 0);
  const palette = theme.visualization.palette;
  const color = (i: number) => theme.visualization.getColorByName(palette[i % palette.length]);

  const slices = donutSlices(shown, total).map((slice, i) => ({ ...slice, color: color(i) }));

  return (
    <ChartFrame title="Prompt categories" empty={total === 0} hint="Click a category to filter by it">
      <div className={styles.layout}>
        <svg
          width={SIZE}
          height={SIZE}
          viewBox={`${-SIZE / 2} ${-SIZE / 2} ${SIZE} ${SIZE}`}
          role="img"
          aria-label="Messages by category"
        >
          {slices.map(({ bucket, path, color: fill }) => (
            <path
              key={bucket.key}
              d={path}
              fill={fill}
              stroke={theme.colors.background.primary}
              strokeWidth={1}
              className={cx(styles.slice, selected.length > 0 && !selected.includes(bucket.key) && styles.dimmed)}
              onClick={() => onSelect(bucket.key)}
            >
              <title>{`${bucket.key}: ${bucket.messages} messages`}</title>
            </path>
          ))}
        </svg>
        <ul className={styles.legend} aria-label="Categories">
          {slices.map(({ bucket, color: fill }) => (
            <li key={bucket.key}>
              <button
                type="button"
                className={cx(styles.legendButton, selected.includes(bucket.key) && styles.active)}
                aria-pressed={selected.includes(bucket.key)}
                onClick={() => onSelect(bucket.key)}
              >
                {/* The accessible name starts with what the button does and contains what it shows. */}
                <span className={styles.srOnly}>Filter by category </span>
                <span className={styles.swatch} style={{ background: fill }} />
                <span>{bucket.key}</span>
                <span className={styles.count}>
                  {formatNumber(bucket.messages)} ({formatPercent(bucket.messages / total, 0)})
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </ChartFrame>
  );
}

/** Slices clockwise from 12 o'clock, each as large as its share of the messages. */
export function donutSlices<B extends Bucket>(buckets: B[], total: number): Array<{ bucket: B; path: string }> {
  const starts = buckets.map((_, i) => buckets.slice(0, i).reduce((sum, b) => sum + b.messages, 0));
  return buckets.map((bucket, i) => {
    const start = -Math.PI / 2 + (total > 0 ? (starts[i] / total) * Math.PI * 2 : 0);
    const sweep = total > 0 ? (bucket.messages / total) * Math.PI * 2 : 0;
    return { bucket, path: arcPath(start, start + sweep) };
  });
}

/** SVG path of a ring segment between two angles (radians). */
export function arcPath(start: number, end: number): string {
  // A full circle cannot be one arc: split it.
  if (end - start >= Math.PI * 2 - 1e-9) {
    const mid = start + Math.PI;
    return `${arcPath(start, mid)} ${arcPath(mid, end - 1e-6)}`;
  }
  const large = end - start > Math.PI ? 1 : 0;
  const p = (r: number, a: number) => `${(r * Math.cos(a)).toFixed(3)} ${(r * Math.sin(a)).toFixed(3)}`;
  return [
    `M ${p(R_OUTER, start)}`,
    `A ${R_OUTER} ${R_OUTER} 0 ${large} 1 ${p(R_OUTER, end)}`,
    `L ${p(R_INNER, end)}`,
    `A ${R_INNER} ${R_INNER} 0 ${large} 0 ${p(R_INNER, start)}`,
    'Z',
  ].join(' ');
}

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'center', flexWrap: 'wrap' }),
  slice: css({ cursor: 'pointer', '&:hover': { opacity: 0.8 } }),
  dimmed: css({ opacity: 0.35 }),
  legend: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.25),
  }),
  legendButton: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    background: 'none',
    border: 'none',
    color: theme.colors.text.primary,
    cursor: 'pointer',
    padding: theme.spacing(0.25, 0.5),
    borderRadius: theme.shape.radius.default,
    '&:hover': { background: theme.colors.action.hover },
  }),
  active: css({ background: theme.colors.action.selected, fontWeight: theme.typography.fontWeightMedium }),
  swatch: css({ width: 10, height: 10, borderRadius: 2, display: 'inline-block' }),
  srOnly: css({
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  }),
  count: css({ color: theme.colors.text.secondary }),
});
