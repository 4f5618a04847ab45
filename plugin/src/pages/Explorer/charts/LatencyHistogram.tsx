import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { HistogramBin } from '@ollama-lens/contracts';
import { formatDuration, formatNumber } from '../../../utils/format';
import { ChartFrame } from './ChartFrame';

interface Props {
  bins: HistogramBin[];
  /** Current latency filter, to highlight the matching bar. */
  minMs: number | undefined;
  maxMs: number | undefined;
  onSelect: (min: number | undefined, max: number | undefined) => void;
}

export interface BinRange {
  min: number | undefined;
  max: number | undefined;
  label: string;
}

/** Bin i covers (previous edge, le]; the first starts at 0 (no lower bound), +Inf has no upper bound. */
export function binRanges(bins: HistogramBin[]): BinRange[] {
  return bins.map((bin, i) => {
    const min = i === 0 ? undefined : (bins[i - 1].le_ms ?? undefined);
    const max = bin.le_ms ?? undefined;
    const label =
      min === undefined
        ? `≤ ${formatDuration(max)}`
        : max === undefined
          ? `> ${formatDuration(min)}`
          : `${formatDuration(min)} – ${formatDuration(max)}`;
    return { min, max, label };
  });
}

const H = 150;

/** Messages per latency band; a click on a bar filters to that band. */
export function LatencyHistogram({ bins, minMs, maxMs, onSelect }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const ranges = binRanges(bins);
  const peak = Math.max(0, ...bins.map((b) => b.count));
  const fill = theme.visualization.getColorByName('blue');

  return (
    <ChartFrame title="Response time distribution" empty={peak === 0} hint="Click a bar to filter by that latency">
      <div className={styles.bars} role="list" aria-label="Messages per latency band">
        {bins.map((bin, i) => {
          const range = ranges[i];
          const active = range.min === minMs && range.max === maxMs && (minMs !== undefined || maxMs !== undefined);
          return (
            <div key={range.label} role="listitem" className={styles.item}>
              <button
                type="button"
                className={cx(styles.bar, active && styles.active)}
                aria-pressed={active}
                title={`${range.label}: ${bin.count} messages`}
                disabled={bin.count === 0}
                onClick={() => onSelect(range.min, range.max)}
              >
                {/* The name is read in DOM order ("Filter latency ≤ 100 ms: 18 messages"); CSS order draws the count on top. */}
                <span className={styles.srOnly}>Filter latency </span>
                <span className={styles.label}>{range.label}</span>
                <span className={styles.srOnly}>: </span>
                <span className={styles.count}>
                  {bin.count > 0 ? formatNumber(bin.count) : <span className={styles.srOnly}>0</span>}
                </span>
                <span className={styles.srOnly}> messages</span>
                <span
                  className={styles.fill}
                  style={{ height: peak > 0 ? Math.max(2, (bin.count / peak) * H) : 0, background: fill }}
                />
              </button>
            </div>
          );
        })}
      </div>
    </ChartFrame>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // Every bar shares the panel's width: min-width 0 lets a bar (and its label) be narrower than its text.
  bars: css({ display: 'flex', alignItems: 'flex-end', gap: theme.spacing(0.5), minHeight: H + 40, minWidth: 0 }),
  item: css({ flex: '1 1 0', minWidth: 0, display: 'flex' }),
  bar: css({
    flex: 1,
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'stretch',
    justifyContent: 'flex-end',
    background: 'none',
    border: '1px solid transparent',
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.25),
    cursor: 'pointer',
    color: theme.colors.text.primary,
    position: 'relative',
    '&:hover:not(:disabled)': { background: theme.colors.action.hover },
    '&:disabled': { cursor: 'default' },
  }),
  active: css({ borderColor: theme.colors.primary.border, background: theme.colors.action.selected }),
  fill: css({ display: 'block', width: '100%', borderRadius: 2, order: 2 }),
  count: css({ fontSize: theme.typography.bodySmall.fontSize, textAlign: 'center', order: 1 }),
  srOnly: css({
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  }),
  label: css({
    order: 3,
    fontSize: 10,
    color: theme.colors.text.secondary,
    textAlign: 'center',
    marginTop: theme.spacing(0.5),
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
});
