import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { SearchResult, Segment } from '@ollama-lens/contracts';
import { AppLink } from '../../components/AppLink';
import { formatTime } from '../../utils/format';
import { plainText } from '../../utils/text';

interface Props {
  query: string;
  results: SearchResult[];
  hrefFor: (id: string) => string;
}

/** Matched words are wrapped in <mark> by React; the API sends segments, never markup. */
export function Snippet({ segments }: { segments: Segment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.match ? (
          <mark key={i}>{plainText(s.text)}</mark>
        ) : (
          <React.Fragment key={i}>{plainText(s.text)}</React.Fragment>
        )
      )}
    </>
  );
}

/** The best full-text matches of the search, with the matching words highlighted. */
export function SearchMatches({ query, results, hrefFor }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.box} aria-label="Best matches">
      <h3 className={styles.title}>
        Best matches for “{query}” {results.length === 0 && <span className={styles.muted}>— none</span>}
      </h3>
      <ol className={styles.list}>
        {results.map((r) => (
          <li key={r.id} data-testid="search-match">
            <AppLink href={hrefFor(r.id)}>
              {formatTime(r.started_at)} · {plainText(r.model) ?? '—'} · {plainText(r.user) ?? '—'}
            </AppLink>
            {r.prompt_snippet.length > 0 && (
              <div className={styles.snippet}>
                <span className={styles.muted}>prompt </span>
                <Snippet segments={r.prompt_snippet} />
              </div>
            )}
            {r.response_snippet.length > 0 && (
              <div className={styles.snippet}>
                <span className={styles.muted}>response </span>
                <Snippet segments={r.response_snippet} />
              </div>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 1.5),
  }),
  title: css({ fontSize: theme.typography.h6.fontSize, margin: theme.spacing(0, 0, 1) }),
  list: css({
    margin: 0,
    paddingLeft: theme.spacing(2.5),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.75),
  }),
  snippet: css({
    fontSize: theme.typography.bodySmall.fontSize,
    overflowWrap: 'anywhere',
    mark: { background: theme.colors.warning.transparent, color: theme.colors.text.primary, padding: 0 },
  }),
  muted: css({ color: theme.colors.text.secondary }),
});
