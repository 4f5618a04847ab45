import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { markdownToReact } from './sanitize';

interface Props {
  /** Untrusted markdown (a model's answer). */
  markdown: string;
  'aria-label'?: string;
}

/** Renders untrusted markdown without ever injecting HTML (see sanitize.ts). */
export function SafeMarkdown({ markdown, ...rest }: Props) {
  const styles = useStyles2(getStyles);
  const nodes = useMemo(() => markdownToReact(markdown), [markdown]);
  return (
    <div className={styles.markdown} data-testid="safe-markdown" aria-label={rest['aria-label']}>
      {nodes}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  markdown: css({
    overflowWrap: 'anywhere',
    'pre, code': { fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize },
    pre: {
      background: theme.colors.background.canvas,
      padding: theme.spacing(1),
      borderRadius: theme.shape.radius.default,
      overflowX: 'auto',
      whiteSpace: 'pre',
    },
    'p:last-child': { marginBottom: 0 },
    '.link-target': { color: theme.colors.text.secondary, overflowWrap: 'anywhere' },
    table: { borderCollapse: 'collapse', margin: theme.spacing(1, 0) },
    'th, td': { border: `1px solid ${theme.colors.border.weak}`, padding: theme.spacing(0.5, 1) },
    blockquote: {
      borderLeft: `3px solid ${theme.colors.border.medium}`,
      paddingLeft: theme.spacing(1),
      color: theme.colors.text.secondary,
    },
  }),
});
