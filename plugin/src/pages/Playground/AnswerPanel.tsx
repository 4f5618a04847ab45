import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Stack, Text, useStyles2 } from '@grafana/ui';
import type { PlaygroundMessage } from '@ollama-lens/contracts';
import { AppLink } from '../../components/AppLink';
import { messageUrl } from '../../constants';
import { formatDuration, formatNumber } from '../../utils/format';
import { tokensPerSecond, ttftMs, type ChatRun } from './chatRun';
import { PLAYGROUND_TEST_IDS } from './testIds';

/** A clock that ticks while the answer streams, so tokens/s moves between chunks too. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) {
      return;
    }
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** One model's answer: the text as it streams, TTFT and tokens/s, and the link to the stored message. */
export function AnswerPanel({ run, slot, earlier }: { run: ChatRun; slot: number; earlier: PlaygroundMessage[] }) {
  const styles = useStyles2(getStyles);
  const streaming = !run.done && !run.stopped && !run.error;
  const now = useNow(streaming);
  const state = run.error ? 'failed' : run.stopped ? 'stopped' : run.done ? 'done' : 'streaming…';
  return (
    <section
      className={styles.panel}
      data-testid={PLAYGROUND_TEST_IDS.answer(slot)}
      aria-label={`Answer of ${run.model}`}
    >
      <Stack direction="row" gap={2} alignItems="baseline" wrap="wrap">
        <strong>{run.model}</strong>
        <Text color="secondary">{state}</Text>
        <span data-testid={PLAYGROUND_TEST_IDS.ttft(slot)}>TTFT {formatDuration(ttftMs(run))}</span>
        <span data-testid={PLAYGROUND_TEST_IDS.tokensPerSecond(slot)}>
          {formatNumber(tokensPerSecond(run, Math.max(now, run.lastTokenAt ?? 0)), 1)} tokens/s
        </span>
      </Stack>
      {earlier.length > 0 && (
        <ol className={styles.turns} aria-label="Earlier in this conversation">
          {earlier.map((m, i) => (
            <li key={i} className={styles.turn}>
              <Text color="secondary" variant="bodySmall">
                {m.role === 'user' ? 'You' : run.model}
              </Text>
              <div className={styles.text}>{m.content}</div>
            </li>
          ))}
        </ol>
      )}
      {run.prompt && (
        <div className={styles.turn}>
          <Text color="secondary" variant="bodySmall">
            You
          </Text>
          <div className={styles.text}>{run.prompt}</div>
        </div>
      )}
      {run.error && (
        <Alert severity="error" title="The answer failed">
          {run.error}
        </Alert>
      )}
      <div className={styles.text} data-testid={PLAYGROUND_TEST_IDS.answerText(slot)} aria-live="polite">
        {run.text}
      </div>
      {run.messageId && (run.done || run.stopped || run.error) && (
        <span data-testid={PLAYGROUND_TEST_IDS.messageLink(slot)}>
          <AppLink href={messageUrl(run.messageId)} className={styles.link}>
            Open this exchange in the Explorer
          </AppLink>
        </span>
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    padding: theme.spacing(1.5),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    minWidth: 0,
  }),
  link: css({ color: theme.colors.text.link, '&:hover': { textDecoration: 'underline' } }),
  turns: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  turn: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.25) }),
  // The answer is plain text (never HTML): whitespace kept, long words wrapped.
  text: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', minHeight: theme.spacing(6) }),
});
