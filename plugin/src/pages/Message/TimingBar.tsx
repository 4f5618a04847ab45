import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { formatDuration } from '../../utils/format';
import type { TimingBreakdown, TimingKey } from './timing';

const COLORS: Record<TimingKey, string> = {
  queue: 'purple',
  load: 'orange',
  prompt_eval: 'yellow',
  generation: 'green',
  network: 'blue',
  unmeasured: 'text',
};

/** A Gantt-like bar of where the request's time went, with a marker at the first token. */
export function TimingBar({ breakdown }: { breakdown: TimingBreakdown }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const { segments, totalMs, ttftMs } = breakdown;
  const color = (key: TimingKey) =>
    key === 'unmeasured' ? theme.colors.border.medium : theme.visualization.getColorByName(COLORS[key]);
  const pct = (ms: number) => (totalMs > 0 ? (ms / totalMs) * 100 : 0);

  return (
    <figure className={styles.figure} aria-label="Timing bar">
      <div className={styles.bar}>
        {segments.map((s) => (
          <div
            key={s.key}
            className={styles.segment}
            style={{ width: `${pct(s.ms)}%`, background: color(s.key) }}
            title={`${s.label}: ${formatDuration(s.ms)}`}
          />
        ))}
        {ttftMs !== null && totalMs > 0 && (
          <div
            className={styles.marker}
            style={{ left: `${Math.min(100, pct(ttftMs))}%` }}
            title={`First token at ${formatDuration(ttftMs)}`}
          />
        )}
      </div>
      <figcaption className={styles.legend}>
        {segments.map((s) => (
          <span key={s.key} className={styles.item}>
            <span className={styles.swatch} style={{ background: color(s.key) }} />
            {s.label} <strong>{formatDuration(s.ms)}</strong>
          </span>
        ))}
        {ttftMs !== null && (
          <span className={styles.item}>
            <span className={styles.markerSwatch} />
            Time to first token <strong>{formatDuration(ttftMs)}</strong>
          </span>
        )}
        <span className={styles.item}>
          Total <strong>{formatDuration(totalMs)}</strong>
        </span>
      </figcaption>
    </figure>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  figure: css({ margin: 0 }),
  bar: css({
    position: 'relative',
    display: 'flex',
    height: 18,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
    background: theme.colors.background.canvas,
  }),
  segment: css({ height: '100%', minWidth: 2 }),
  marker: css({ position: 'absolute', top: -2, bottom: -2, width: 2, background: theme.colors.text.primary }),
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  item: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  swatch: css({ width: 10, height: 10, borderRadius: 2, display: 'inline-block' }),
  markerSwatch: css({ width: 2, height: 12, background: theme.colors.text.primary, display: 'inline-block' }),
});
