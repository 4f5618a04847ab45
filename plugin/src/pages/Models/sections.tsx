import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, IconButton, Stack, Text, Tooltip, useStyles2 } from '@grafana/ui';
import { isEmbeddingOnly, type InstalledModels, type ModelUsage } from '@ollama-lens/contracts';
import { DASH, formatDuration, formatNumber, formatPercent, formatTime } from '../../utils/format';
import { formatBytes, formatExpiresIn, vramShare } from './format';
import type { ModelsView } from './ModelsView';
import { shortDigest } from './pullProgress';
import { MODELS_TEST_IDS } from './testIds';

interface ActionProps {
  models: InstalledModels;
  canAct: boolean;
  busy?: string;
  view: ModelsView;
}

/** Installed models (/api/tags + /api/show), with the favourite star, the default badge and the actions. */
export function InstalledTable({ models, canAct, busy, view }: ActionProps) {
  const styles = useStyles2(getStyles);
  const { favourites, default_model } = models.preferences;
  if (models.installed.length === 0) {
    return <Text color="secondary">Ollama has no models installed.</Text>;
  }
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid={MODELS_TEST_IDS.installedTable}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Family</th>
            <th scope="col">Parameters</th>
            <th scope="col">Quantisation</th>
            <th scope="col" className={styles.right}>
              Size on disk
            </th>
            <th scope="col">Modified</th>
            <th scope="col">Digest</th>
            <th scope="col">
              <span className={styles.hidden}>Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {models.installed.map((m) => {
            const favourite = favourites.includes(m.name);
            const isDefault = default_model === m.name;
            return (
              <tr key={m.name} data-testid={MODELS_TEST_IDS.installedRow(m.name)}>
                <th scope="row" className={styles.name}>
                  <Stack direction="row" gap={1} alignItems="center">
                    {canAct ? (
                      <IconButton
                        name={favourite ? 'favorite' : 'star'}
                        aria-label={favourite ? `Remove ${m.name} from favourites` : `Add ${m.name} to favourites`}
                        aria-pressed={favourite}
                        disabled={Boolean(busy)}
                        onClick={() => view.toggleFavourite(m.name)}
                      />
                    ) : (
                      favourite && <Badge text="favourite" color="orange" icon="favorite" />
                    )}
                    <Button fill="text" size="sm" onClick={() => void view.openDetail(m.name)}>
                      {m.name}
                    </Button>
                    {isDefault && <Badge text="default" color="blue" />}
                    {m.loaded && <Badge text="loaded" color="green" />}
                    {isEmbeddingOnly(m.capabilities) && (
                      <Badge
                        text="embedding"
                        color="purple"
                        tooltip="An embedding model: Ollama answers /api/embed for it, not chat or generate"
                      />
                    )}
                  </Stack>
                </th>
                <td>{m.family ?? DASH}</td>
                <td>{m.parameter_size ?? DASH}</td>
                <td>{m.quantization_level ?? DASH}</td>
                <td className={styles.right}>{formatBytes(m.size_bytes)}</td>
                <td>{formatTime(m.modified_at)}</td>
                <td>
                  {m.digest ? (
                    <Tooltip content={m.digest}>
                      <code tabIndex={0}>{shortDigest(m.digest)}</code>
                    </Tooltip>
                  ) : (
                    DASH
                  )}
                </td>
                <td>
                  {canAct && (
                    <Stack direction="row" gap={0.5} justifyContent="flex-end">
                      {m.loaded ? (
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={Boolean(busy)}
                          onClick={() => view.act('unload', m.name)}
                          aria-label={`Unload ${m.name}`}
                        >
                          Unload
                        </Button>
                      ) : (
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={Boolean(busy)}
                          onClick={() => view.act('load', m.name)}
                          aria-label={`Load ${m.name}`}
                        >
                          Load
                        </Button>
                      )}
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={Boolean(busy)}
                        onClick={() => view.setDefault(m.name)}
                        // The visible words start the name (axe: label-in-name).
                        aria-label={isDefault ? `Clear default: ${m.name}` : `Make default: ${m.name}`}
                      >
                        {isDefault ? 'Clear default' : 'Make default'}
                      </Button>
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={Boolean(busy)}
                        onClick={() => view.askCopy(m.name)}
                        aria-label={`Copy ${m.name}`}
                      >
                        Copy
                      </Button>
                      <Button
                        size="sm"
                        variant="destructive"
                        disabled={Boolean(busy)}
                        onClick={() => view.askDelete(m.name)}
                        aria-label={`Delete ${m.name}`}
                      >
                        Delete
                      </Button>
                    </Stack>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Models in memory now (/api/ps): where they live (VRAM/RAM), their context length and expiry. */
export function LoadedList({ models, now, canAct, busy, view }: ActionProps & { now: number }) {
  const styles = useStyles2(getStyles);
  if (models.loaded.length === 0) {
    return (
      <div data-testid={MODELS_TEST_IDS.loadedList}>
        <Text color="secondary">No model is in memory.</Text>
      </div>
    );
  }
  return (
    <ul className={styles.loaded} data-testid={MODELS_TEST_IDS.loadedList}>
      {models.loaded.map((m) => {
        const share = vramShare(m.size_bytes, m.vram_bytes);
        return (
          <li key={m.name} className={styles.loadedItem} data-testid={MODELS_TEST_IDS.loadedItem(m.name)}>
            <Stack direction="row" gap={2} alignItems="center" wrap="wrap">
              <strong>{m.name}</strong>
              <span>{formatBytes(m.size_bytes)} in memory</span>
              <span>context {formatNumber(m.context_length)}</span>
              <span>expires {formatExpiresIn(m.expires_at, now)}</span>
              {canAct && (
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={Boolean(busy)}
                  onClick={() => view.act('unload', m.name)}
                  aria-label={`Unload ${m.name} now`}
                >
                  Unload
                </Button>
              )}
            </Stack>
            <div
              className={styles.bar}
              role="img"
              aria-label={`${m.name}: ${formatBytes(m.vram_bytes)} in VRAM, ${formatBytes(m.ram_bytes)} in RAM`}
            >
              <div className={styles.vram} style={{ width: `${share * 100}%` }} />
              <div className={styles.ram} style={{ width: `${(1 - share) * 100}%` }} />
            </div>
            <Stack direction="row" gap={2}>
              <Text variant="bodySmall">VRAM {formatBytes(m.vram_bytes)}</Text>
              <Text variant="bodySmall">RAM {formatBytes(m.ram_bytes)}</Text>
            </Stack>
            {m.offloaded && (
              <Text color="warning" variant="bodySmall">
                {m.placement === 'cpu'
                  ? 'Runs entirely on the CPU: none of it is in VRAM.'
                  : 'Part of this model is in system RAM: those layers run on the CPU, which slows generation.'}
              </Text>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The store's figures per model over the page's time range. */
export function UsageTable({ usage }: { usage?: ModelUsage[] }) {
  const styles = useStyles2(getStyles);
  if (!usage) {
    return <Text color="secondary">Reading the usage…</Text>;
  }
  if (usage.length === 0) {
    return (
      <div data-testid={MODELS_TEST_IDS.usageTable}>
        <Text color="secondary">No requests in this time range.</Text>
      </div>
    );
  }
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid={MODELS_TEST_IDS.usageTable}>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className={styles.right}>
              Requests
            </th>
            <th scope="col" className={styles.right}>
              Tokens in
            </th>
            <th scope="col" className={styles.right}>
              Tokens out
            </th>
            <th scope="col" className={styles.right}>
              Tokens/s
            </th>
            <th scope="col" className={styles.right}>
              p50
            </th>
            <th scope="col" className={styles.right}>
              p95
            </th>
            <th scope="col" className={styles.right}>
              Error rate
            </th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        <tbody>
          {usage.map((u) => (
            <tr key={u.model} data-testid={MODELS_TEST_IDS.usageRow(u.model)}>
              <th scope="row" className={styles.name}>
                {u.model}
              </th>
              <td className={styles.right}>{formatNumber(u.requests)}</td>
              <td className={styles.right}>{formatNumber(u.input_tokens)}</td>
              <td className={styles.right}>{formatNumber(u.output_tokens)}</td>
              <td className={styles.right}>{formatNumber(u.tokens_per_second, 1)}</td>
              <td className={styles.right}>{formatDuration(u.latency_p50_ms)}</td>
              <td className={styles.right}>{formatDuration(u.latency_p95_ms)}</td>
              <td className={styles.right}>{formatPercent(u.error_rate)}</td>
              <td>{formatTime(u.last_used)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  scroll: css({ overflowX: 'auto' }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      whiteSpace: 'nowrap',
    },
    thead: { color: theme.colors.text.secondary },
  }),
  name: css({ fontWeight: theme.typography.fontWeightMedium }),
  right: css({ textAlign: 'right !important' as 'right' }),
  hidden: css({ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }),
  loaded: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
  }),
  loadedItem: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  bar: css({
    display: 'flex',
    height: 10,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
    background: theme.colors.background.secondary,
  }),
  vram: css({ background: theme.colors.success.main }),
  ram: css({ background: theme.colors.warning.main }),
});
