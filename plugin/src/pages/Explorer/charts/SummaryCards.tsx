import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, useStyles2 } from '@grafana/ui';
import type { Summary } from '@ollama-lens/contracts';
import { formatChange, formatCost, formatNumber, formatPercent } from '../../../utils/format';

interface Props {
  summary: Summary | undefined;
  loading: boolean;
}

/** The four cards of the Explorer: each with its change against the previous window of equal length. */
export function SummaryCards({ summary, loading }: Props) {
  const styles = useStyles2(getStyles);
  const s = summary;
  return (
    <div className={styles.row} aria-busy={loading}>
      <Card title="Messages" value={formatNumber(s?.messages)} changes={[{ label: '', value: s?.change.messages }]}>
        <span className={styles.secondary}>error rate {formatPercent(s?.error_rate)}</span>
      </Card>
      <Card
        title="Unique users"
        value={formatNumber(s?.unique_users)}
        changes={[{ label: '', value: s?.change.unique_users }]}
      />
      <Card
        title="Avg tokens"
        value={`In ${formatNumber(s?.avg_input_tokens)} · Out ${formatNumber(s?.avg_output_tokens)}`}
        changes={[
          { label: 'in', value: s?.change.avg_input_tokens },
          { label: 'out', value: s?.change.avg_output_tokens },
        ]}
      />
      <Card
        title="Total cost"
        value={formatCost(s?.total_cost)}
        changes={[{ label: '', value: s?.change.total_cost }]}
      />
    </div>
  );
}

interface CardProps {
  title: string;
  value: string;
  changes: Array<{ label: string; value: number | null | undefined }>;
  children?: React.ReactNode;
}

function Card({ title, value, changes, children }: CardProps) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.card} aria-label={title}>
      <h3 className={styles.title}>{title}</h3>
      <div className={styles.value} data-testid={`card-value-${title}`}>
        {value}
      </div>
      <div className={styles.changes}>
        {changes.map(({ label, value: change }) => {
          const direction =
            change === null || change === undefined || change === 0 ? 'flat' : change > 0 ? 'up' : 'down';
          return (
            <span
              key={label || 'change'}
              className={cx(styles.change, direction === 'flat' && styles.secondary)}
              title="Change against the previous window of the same length"
            >
              {direction !== 'flat' && <Icon name={direction === 'up' ? 'arrow-up' : 'arrow-down'} size="sm" />}
              {label ? `${label} ` : ''}
              {formatChange(change)}
            </span>
          );
        })}
        {children}
      </div>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))', gap: theme.spacing(1) }),
  card: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5, 2),
  }),
  title: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    margin: 0,
    fontWeight: theme.typography.fontWeightMedium,
  }),
  value: css({
    fontSize: theme.typography.h3.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    margin: theme.spacing(0.5, 0),
  }),
  changes: css({
    display: 'flex',
    gap: theme.spacing(1.5),
    flexWrap: 'wrap',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  change: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.25) }),
  secondary: css({ color: theme.colors.text.secondary }),
});
