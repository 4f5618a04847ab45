import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

interface Props {
  title: string;
  hint?: string;
  empty: boolean;
  children: React.ReactNode;
}

/** The panel-like frame around the Explorer's small interactive charts. */
export function ChartFrame({ title, hint, empty, children }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.frame} aria-label={title}>
      <header className={styles.header}>
        <h3 className={styles.title}>{title}</h3>
        {hint && !empty && <span className={styles.hint}>{hint}</span>}
      </header>
      {empty ? <div className={styles.empty}>No messages in this selection</div> : children}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  frame: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 1.5),
    minHeight: 220,
    // A grid item defaults to min-width: auto, which lets wide content push it past its column.
    minWidth: 0,
    overflow: 'hidden',
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  header: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', gap: theme.spacing(1) }),
  title: css({ fontSize: theme.typography.h6.fontSize, margin: 0 }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  empty: css({ color: theme.colors.text.secondary, margin: 'auto' }),
});
