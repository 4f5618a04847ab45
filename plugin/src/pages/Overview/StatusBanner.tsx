import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  SceneObjectBase,
  VariableDependencyConfig,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import { Alert, Tooltip, useStyles2 } from '@grafana/ui';
import type { StatusLevel, StatusLine } from '@ollama-lens/contracts';
import { DS_VARIABLE, messagesConnectionFor } from '../../utils/datasource';

export interface StatusBannerState extends SceneObjectState {
  status?: StatusLine;
  error?: string;
}

/** How often the banner reads the line again (the sidecar rebuilds it in the background every 30 s). */
export const STATUS_POLL_MS = 30_000;

const SEVERITY: Record<StatusLevel, 'success' | 'warning' | 'error'> = {
  ok: 'success',
  warning: 'warning',
  critical: 'error',
};

/**
 * The AI status line at the top of the Overview: one line about the state of Ollama (from the
 * sidecar's rules, or phrased by a model), coloured by its level, with the facts behind it on hover.
 */
export class StatusBanner extends SceneObjectBase<StatusBannerState> {
  static Component = StatusBannerRenderer;
  private seq = 0;

  protected _variableDependency = new VariableDependencyConfig(this, {
    variableNames: [DS_VARIABLE],
    onReferencedVariableValueChanged: () => void this.load(),
  });

  constructor(state: Partial<StatusBannerState> = {}) {
    super(state);
    this.addActivationHandler(() => {
      void this.load();
      const timer = setInterval(() => void this.load(), STATUS_POLL_MS);
      return () => clearInterval(timer);
    });
  }

  async load() {
    const seq = ++this.seq;
    try {
      const status = await messagesConnectionFor(this).client.status();
      if (seq === this.seq) {
        this.setState({ status, error: undefined });
      }
    } catch (err) {
      if (seq === this.seq) {
        this.setState({ error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

function StatusBannerRenderer({ model }: SceneComponentProps<StatusBanner>) {
  const { status, error } = model.useState();
  const styles = useStyles2(getStyles);
  if (!status) {
    // Nothing to say yet, or the sidecar cannot say it: the rest of the page still works.
    return error ? <div className={styles.muted}>Status line not available: {error}</div> : null;
  }
  const facts = status.facts.map((f) => `${f.level}: ${f.text}`).join('\n');
  const by = status.source === 'model' ? 'phrased by a model from the rules' : 'from the rules';
  return (
    <Tooltip content={<pre className={styles.facts}>{facts}</pre>} placement="bottom-start">
      <div data-testid="ollamalens-status-line">
        <Alert severity={SEVERITY[status.level]} title={status.line} bottomSpacing={0}>
          <span className={styles.muted}>
            Status at {new Date(status.at).toLocaleTimeString()}, {by}
          </span>
        </Alert>
      </div>
    </Tooltip>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  facts: css({ margin: 0, whiteSpace: 'pre-wrap', fontFamily: theme.typography.fontFamily }),
});
