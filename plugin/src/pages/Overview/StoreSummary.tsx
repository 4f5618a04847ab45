import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  SceneObjectBase,
  sceneGraph,
  VariableDependencyConfig,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import { Alert, LinkButton, Stack, useStyles2 } from '@grafana/ui';
import type { Summary } from '@ollama-lens/contracts';
import { OVERVIEW_DASHBOARD_UID, PLUGIN_BASE_URL, ROUTES } from '../../constants';
import { DS_VARIABLE, messagesConnectionFor } from '../../utils/datasource';
import { SummaryCards } from '../Explorer/charts/SummaryCards';
import { navigateOnClick } from '../../components/AppLink';

export interface StoreSummaryState extends SceneObjectState {
  summary?: Summary;
  loading: boolean;
  error?: string;
}

/**
 * The Overview's top: links to the full dashboard and the Explorer, and the message store's summary
 * cards for the selected time range (from the sidecar, next to the Prometheus cards below).
 */
export class StoreSummary extends SceneObjectBase<StoreSummaryState> {
  static Component = StoreSummaryRenderer;
  private seq = 0;

  protected _variableDependency = new VariableDependencyConfig(this, {
    variableNames: [DS_VARIABLE],
    onReferencedVariableValueChanged: () => void this.load(),
  });

  constructor(state: Partial<StoreSummaryState> = {}) {
    super({ loading: false, ...state });
    this.addActivationHandler(() => {
      const sub = sceneGraph.getTimeRange(this).subscribeToState((next, prev) => {
        if (next.value !== prev.value) {
          void this.load();
        }
      });
      void this.load();
      return () => sub.unsubscribe();
    });
  }

  async load() {
    const seq = ++this.seq;
    this.setState({ loading: true, error: undefined });
    try {
      const { client } = messagesConnectionFor(this);
      const range = sceneGraph.getTimeRange(this).state.value;
      const aggs = await client.aggregations({ from: range.from.valueOf(), to: range.to.valueOf() });
      if (seq === this.seq) {
        this.setState({ summary: aggs.summary, loading: false });
      }
    } catch (err) {
      if (seq === this.seq) {
        this.setState({ summary: undefined, loading: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

function StoreSummaryRenderer({ model }: SceneComponentProps<StoreSummary>) {
  const { summary, loading, error } = model.useState();
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.wrapper}>
      <Stack direction="row" gap={1} wrap="wrap">
        <LinkButton
          icon="search"
          href={`${PLUGIN_BASE_URL}/${ROUTES.Explorer}`}
          onClick={navigateOnClick(`${PLUGIN_BASE_URL}/${ROUTES.Explorer}`)}
        >
          Open the Explorer
        </LinkButton>
        <LinkButton icon="apps" variant="secondary" href={`/d/${OVERVIEW_DASHBOARD_UID}`}>
          Full Overview dashboard
        </LinkButton>
      </Stack>
      <h3 className={styles.heading}>Messages in this time range</h3>
      {error ? (
        <Alert severity="warning" title="Message store not available">
          {error}
        </Alert>
      ) : (
        <SummaryCards summary={summary} loading={loading} />
      )}
      <h3 className={styles.heading}>Live metrics (Prometheus)</h3>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  heading: css({ fontSize: theme.typography.h5.fontSize, margin: theme.spacing(1, 0, 0) }),
});
