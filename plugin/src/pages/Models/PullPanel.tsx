import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, Stack, Text, useStyles2 } from '@grafana/ui';
import { formatPercent } from '../../utils/format';
import { formatBytes } from './format';
import type { ModelsView, PullState } from './ModelsView';
import { fractionDone, shortDigest } from './pullProgress';
import { MODELS_TEST_IDS } from './testIds';

/** Pull a model by name: one live progress bar per layer, the total, and Cancel (which stops the pull in Ollama). */
export function PullPanel({ pull, view }: { pull?: PullState; view: ModelsView }) {
  const styles = useStyles2(getStyles);
  const [name, setName] = useState('');
  const running = Boolean(pull?.running);
  return (
    <section className={styles.section} aria-labelledby="ollamalens-models-pull-heading">
      <h3 id="ollamalens-models-pull-heading" className={styles.heading}>
        Pull a model
      </h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) {
            void view.pull(name.trim());
          }
        }}
      >
        <Stack direction="row" gap={1} alignItems="flex-end">
          <Field label="Model to pull" description="A name from the Ollama library or a registry, e.g. llama3.2:1b">
            <Input
              aria-label="Model to pull"
              value={name}
              width={40}
              onChange={(e) => setName(e.currentTarget.value)}
            />
          </Field>
          <Field label="">
            <Button type="submit" icon="download-alt" disabled={running || name.trim() === ''}>
              Pull
            </Button>
          </Field>
        </Stack>
      </form>
      {pull && (
        <div data-testid={MODELS_TEST_IDS.pullProgress} className={styles.progress}>
          <Stack direction="row" gap={2} alignItems="center">
            <strong>{pull.model}</strong>
            <Text color="secondary">
              {pull.cancelled ? 'cancelled' : pull.progress.done ? 'pulled' : pull.progress.status}
            </Text>
            {running && (
              <Button size="sm" variant="destructive" onClick={() => view.cancelPull()}>
                Cancel
              </Button>
            )}
          </Stack>
          {pull.error && (
            <Alert severity="error" title={`Could not pull ${pull.model}`}>
              {pull.error}
            </Alert>
          )}
          {pull.progress.layers.map((layer) => {
            const fraction = fractionDone(layer.completed, layer.total);
            const label = `Layer ${shortDigest(layer.digest)}`;
            return (
              <div key={layer.digest} data-testid={MODELS_TEST_IDS.pullLayer(shortDigest(layer.digest))}>
                <Text variant="bodySmall">
                  {label}: {formatBytes(layer.completed)} of {formatBytes(layer.total)} ({formatPercent(fraction, 0)})
                </Text>
                <progress className={styles.bar} max={layer.total} value={layer.completed} aria-label={label} />
              </div>
            );
          })}
          {pull.progress.total > 0 && (
            <Text variant="bodySmall">
              Total {formatBytes(pull.progress.completed)} of {formatBytes(pull.progress.total)} (
              {formatPercent(fractionDone(pull.progress.completed, pull.progress.total), 0)})
            </Text>
          )}
        </div>
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  heading: css({ fontSize: theme.typography.h4.fontSize, margin: 0 }),
  progress: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), maxWidth: 640 }),
  bar: css({ width: '100%', height: 8, accentColor: theme.colors.primary.main }),
});
