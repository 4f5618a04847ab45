import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Drawer, LoadingPlaceholder, Tab, TabContent, TabsBar, Text, useStyles2 } from '@grafana/ui';
import type { ModelDetail } from '@ollama-lens/contracts';
import { DASH } from '../../utils/format';
import { MODELS_TEST_IDS } from './testIds';

const TABS = [
  { id: 'template', label: 'Template', text: (d: ModelDetail) => d.template },
  { id: 'parameters', label: 'Parameters', text: (d: ModelDetail) => d.parameters },
  { id: 'license', label: 'License', text: (d: ModelDetail) => d.license },
  { id: 'modelfile', label: 'Modelfile', text: (d: ModelDetail) => d.modelfile },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** One model's /api/show: its details, then the template, parameters, license and Modelfile as Ollama gives them. */
export function ModelDrawer({
  detail,
  onClose,
}: {
  detail: { name: string; data?: ModelDetail; error?: string };
  onClose: () => void;
}) {
  const styles = useStyles2(getStyles);
  const [tab, setTab] = React.useState<TabId>('template');
  const { data } = detail;
  const current = TABS.find((t) => t.id === tab) ?? TABS[0];
  return (
    <Drawer title={detail.name} onClose={onClose} size="md">
      <div data-testid={MODELS_TEST_IDS.drawer} className={styles.body}>
        {detail.error && (
          <Alert severity="error" title="Could not read the model">
            {detail.error}
          </Alert>
        )}
        {!data && !detail.error && <LoadingPlaceholder text="Reading the model…" />}
        {data && (
          <>
            <dl className={styles.facts}>
              <dt>Family</dt>
              <dd>{data.details.family ?? DASH}</dd>
              <dt>Parameters</dt>
              <dd>{data.details.parameter_size ?? DASH}</dd>
              <dt>Quantisation</dt>
              <dd>{data.details.quantization_level ?? DASH}</dd>
              <dt>Format</dt>
              <dd>{data.details.format ?? DASH}</dd>
              <dt>Capabilities</dt>
              <dd>{data.capabilities.length ? data.capabilities.join(', ') : DASH}</dd>
            </dl>
            <TabsBar>
              {TABS.map((t) => (
                <Tab key={t.id} label={t.label} active={t.id === tab} onChangeTab={() => setTab(t.id)} />
              ))}
            </TabsBar>
            <TabContent>
              {current.text(data) ? (
                <pre className={styles.pre} aria-label={current.label}>
                  {current.text(data)}
                </pre>
              ) : (
                <Text color="secondary">Ollama gives no {current.label.toLowerCase()} for this model.</Text>
              )}
            </TabContent>
          </>
        )}
      </div>
    </Drawer>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  body: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  facts: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0 },
  }),
  pre: css({ whiteSpace: 'pre-wrap', wordBreak: 'break-word', maxHeight: '60vh', overflow: 'auto' }),
});
