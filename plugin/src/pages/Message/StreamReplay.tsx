import React, { useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, RadioButtonGroup, Stack, useStyles2 } from '@grafana/ui';
import type { StoredChunk as ChunkTiming } from '@ollama-lens/contracts';
import { formatDuration } from '../../utils/format';
import { plainText } from '../../utils/text';

const TICK_MS = 50;
const SPEEDS = [
  { label: '1×', value: 1 },
  { label: '4×', value: 4 },
  { label: '16×', value: 16 },
];

/** Text visible at `position` ms: the concatenation of the chunks that had arrived by then. */
export function textAt(chunks: ChunkTiming[], position: number): { text: string; arrived: number } {
  let text = '';
  let arrived = 0;
  for (const chunk of chunks) {
    if (chunk.t_ms > position) {
      break;
    }
    text += chunk.text ?? '';
    arrived++;
  }
  return { text, arrived };
}

/**
 * Replays a streamed answer at the pace it arrived at the proxy (from the stored chunk timings), to
 * see stalls and the time to first token. The text is shown as plain text.
 */
export function StreamReplay({ chunks }: { chunks: ChunkTiming[] }) {
  const styles = useStyles2(getStyles);
  const sorted = useMemo(() => [...chunks].sort((a, b) => a.t_ms - b.t_ms), [chunks]);
  const end = sorted.length > 0 ? sorted[sorted.length - 1].t_ms : 0;
  const [position, setPosition] = useState(end);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);

  useEffect(() => {
    if (!playing) {
      return;
    }
    const timer = setInterval(() => {
      setPosition((p) => {
        const next = p + TICK_MS * speed;
        if (next >= end) {
          setPlaying(false);
          return end;
        }
        return next;
      });
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing, speed, end]);

  const { text, arrived } = textAt(sorted, position);
  const gaps = sorted.slice(1).map((c, i) => c.t_ms - sorted[i].t_ms);
  const longestGap = gaps.length > 0 ? Math.max(...gaps) : 0;

  return (
    <div className={styles.wrapper}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <Button
          size="sm"
          icon={playing ? 'pause' : 'play'}
          onClick={() => {
            if (!playing && position >= end) {
              setPosition(0);
            }
            setPlaying(!playing);
          }}
        >
          {playing ? 'Pause' : 'Replay'}
        </Button>
        <RadioButtonGroup size="sm" options={SPEEDS} value={speed} onChange={setSpeed} />
        <input
          type="range"
          aria-label="Replay position (ms)"
          min={0}
          max={Math.max(end, 1)}
          step={1}
          value={Math.round(position)}
          className={styles.slider}
          onChange={(e) => {
            setPlaying(false);
            setPosition(Number(e.currentTarget.value));
          }}
        />
        <span className={styles.meta} data-testid="replay-status">
          {formatDuration(position)} · chunk {arrived} of {sorted.length}
        </span>
      </Stack>
      <div className={styles.meta}>
        {sorted.length} chunks; first at {formatDuration(sorted[0]?.t_ms)}, last at {formatDuration(end)}, longest gap{' '}
        {formatDuration(longestGap)}
      </div>
      <pre className={styles.text} aria-label="Replayed text" aria-live="off" tabIndex={0}>
        {plainText(text)}
      </pre>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  slider: css({ flex: 1, minWidth: 160 }),
  meta: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  text: css({ whiteSpace: 'pre-wrap', minHeight: 60, maxHeight: 300, overflow: 'auto', margin: 0 }),
});
