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
import { Alert, ConfirmModal, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { InstalledModels, ModelDetail, ModelUsage } from '@ollama-lens/contracts';
import { ModelsClient, type SimpleModelAction } from '../../api/models';
import { isAbort } from '../../api/stream';
import { ACTIONS_PROXY_ROUTE } from '../../constants';
import { PROXY_ROUTE } from '../../datasource/types';
import { DS_VARIABLE, messagesConnectionFor } from '../../utils/datasource';
import { isOrgAdmin } from './access';
import { CopyModal } from './CopyModal';
import { ModelDrawer } from './ModelDrawer';
import { applyPullLine, PULL_STARTED, type PullProgress } from './pullProgress';
import { PullPanel } from './PullPanel';
import { InstalledTable, LoadedList, UsageTable } from './sections';

export interface PullState {
  model: string;
  progress: PullProgress;
  running: boolean;
  cancelled: boolean;
  error?: string;
}

export interface ModelsViewState extends SceneObjectState {
  models?: InstalledModels;
  loading: boolean;
  error?: string;
  usage?: ModelUsage[];
  usageError?: string;
  detail?: { name: string; data?: ModelDetail; error?: string };
  /** The action running now, e.g. "Load tiny:latest" (buttons are disabled meanwhile). */
  busy?: string;
  notice?: { severity: 'success' | 'error'; text: string };
  pull?: PullState;
  confirmDelete?: string;
  copySource?: string;
  /** When the lists were read (expiry times are relative to it). */
  readAt: number;
}

/**
 * The Models page's one scene object: Ollama's installed and loaded models and the store's usage per model
 * over the page's time range, with the actions an Admin may take. One object because the sections share the
 * lists (an action changes installed and loaded at once, and both are re-read after it).
 */
export class ModelsView extends SceneObjectBase<ModelsViewState> {
  static Component = ModelsViewRenderer;
  private seq = 0;
  private usageSeq = 0;
  private pullAbort?: AbortController;

  protected _variableDependency = new VariableDependencyConfig(this, {
    variableNames: [DS_VARIABLE],
    onReferencedVariableValueChanged: () => this.refresh(),
  });

  constructor(state: Partial<ModelsViewState> = {}) {
    super({ loading: false, readAt: Date.now(), ...state });
    this.addActivationHandler(() => {
      const sub = sceneGraph.getTimeRange(this).subscribeToState((next, prev) => {
        if (next.value !== prev.value) {
          this.refresh();
        }
      });
      this.refresh();
      return () => {
        sub.unsubscribe();
        // Leaving the page cancels a pull in flight rather than leaving it running unseen.
        this.pullAbort?.abort();
      };
    });
  }

  private client(): ModelsClient {
    const { settings } = messagesConnectionFor(this);
    return new ModelsClient(`${settings.url}/${PROXY_ROUTE}`, `${settings.url}/${ACTIONS_PROXY_ROUTE}`);
  }

  refresh() {
    void this.loadModels();
    void this.loadUsage();
  }

  async loadModels() {
    const seq = ++this.seq;
    this.setState({ loading: true, error: undefined });
    try {
      const models = await this.client().installed();
      if (seq === this.seq) {
        this.setState({ models, loading: false, readAt: Date.now() });
      }
    } catch (err) {
      if (seq === this.seq) {
        this.setState({ loading: false, error: message(err) });
      }
    }
  }

  async loadUsage() {
    const seq = ++this.usageSeq;
    try {
      const range = sceneGraph.getTimeRange(this).state.value;
      const usage = await this.client().usage({ from: range.from.valueOf(), to: range.to.valueOf() });
      if (seq === this.usageSeq) {
        this.setState({ usage: usage.models, usageError: undefined });
      }
    } catch (err) {
      if (seq === this.usageSeq) {
        this.setState({ usage: undefined, usageError: message(err) });
      }
    }
  }

  async openDetail(name: string) {
    this.setState({ detail: { name } });
    try {
      const data = await this.client().detail(name);
      if (this.state.detail?.name === name) {
        this.setState({ detail: { name, data } });
      }
    } catch (err) {
      if (this.state.detail?.name === name) {
        this.setState({ detail: { name, error: message(err) } });
      }
    }
  }

  closeDetail() {
    this.setState({ detail: undefined });
  }

  toggleFavourite(name: string) {
    const prefs = this.state.models?.preferences;
    if (!prefs) {
      return;
    }
    const favourites = prefs.favourites.includes(name)
      ? prefs.favourites.filter((f) => f !== name)
      : [...prefs.favourites, name];
    void this.run(`Favourite ${name}`, () => this.client().setPreferences({ ...prefs, favourites }), false);
  }

  setDefault(name: string) {
    const prefs = this.state.models?.preferences;
    if (!prefs) {
      return;
    }
    const default_model = prefs.default_model === name ? null : name;
    void this.run(`Default ${name}`, () => this.client().setPreferences({ ...prefs, default_model }), false);
  }

  act(action: SimpleModelAction, model: string) {
    const label = { load: 'Loaded', unload: 'Unloaded', delete: 'Deleted' }[action];
    void this.run(`${action} ${model}`, () => this.client().act(action, model), `${label} ${model}`);
  }

  askDelete(model?: string) {
    this.setState({ confirmDelete: model });
  }

  askCopy(model?: string) {
    this.setState({ copySource: model });
  }

  copy(source: string, destination: string) {
    this.setState({ copySource: undefined });
    void this.run(
      `copy ${source}`,
      () => this.client().copy(source, destination),
      `Copied ${source} to ${destination}`
    );
  }

  /** Runs one action, then re-reads the lists (what Ollama reports now is the truth, not our guess). */
  private async run(busy: string, call: () => Promise<unknown>, success: string | false) {
    this.setState({ busy, notice: undefined, confirmDelete: undefined });
    try {
      await call();
      this.setState({ busy: undefined, notice: success ? { severity: 'success', text: success } : undefined });
    } catch (err) {
      this.setState({ busy: undefined, notice: { severity: 'error', text: message(err) } });
    }
    await this.loadModels();
  }

  async pull(model: string) {
    this.pullAbort?.abort();
    const abort = new AbortController();
    this.pullAbort = abort;
    const update = (patch: Partial<PullState>) => {
      const current = this.state.pull;
      if (current && this.pullAbort === abort) {
        this.setState({ pull: { ...current, ...patch } });
      }
    };
    this.setState({ pull: { model, progress: PULL_STARTED, running: true, cancelled: false }, notice: undefined });
    try {
      const stream = await this.client().pull(model, abort.signal);
      for await (const line of stream.lines) {
        const progress = applyPullLine(this.state.pull?.progress ?? PULL_STARTED, line);
        update({ progress, error: progress.error });
      }
      update({ running: false });
    } catch (err) {
      update(isAbort(err) ? { running: false, cancelled: true } : { running: false, error: message(err) });
    }
    if (this.pullAbort === abort) {
      this.pullAbort = undefined;
      await this.loadModels();
    }
  }

  cancelPull() {
    this.pullAbort?.abort();
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function ModelsViewRenderer({ model }: SceneComponentProps<ModelsView>) {
  const state = model.useState();
  const { models, loading, error, usage, usageError, detail, busy, notice, pull, confirmDelete, copySource } = state;
  const styles = useStyles2(getStyles);
  // Buttons for Admins only, and only when the sidecar has an actions token; Grafana's route refuses
  // everyone else anyway.
  const canAct = isOrgAdmin() && Boolean(models?.actions_enabled);

  return (
    <div className={styles.page}>
      {error && (
        <Alert severity="error" title="Could not read the models">
          {error}
        </Alert>
      )}
      {notice && (
        <Alert
          severity={notice.severity}
          title={notice.severity === 'error' ? 'The action failed' : notice.text}
          onRemove={() => model.setState({ notice: undefined })}
        >
          {notice.severity === 'error' ? notice.text : undefined}
        </Alert>
      )}
      {!models && loading && <LoadingPlaceholder text="Reading Ollama's models…" />}
      {models && (
        <>
          {isOrgAdmin() && !models.actions_enabled && (
            <Alert severity="info" title="Model actions are off">
              The sidecar has no actions token (OLLAMA_LENS_ACTIONS_TOKEN), so the page is read-only. Set it on the
              sidecar and in this data source&apos;s &quot;Actions token&quot; to load, unload, copy, delete and pull.
            </Alert>
          )}
          <section className={styles.section} aria-labelledby="ollamalens-models-loaded-heading">
            <h3 id="ollamalens-models-loaded-heading" className={styles.heading}>
              Loaded now
            </h3>
            <LoadedList models={models} now={state.readAt} canAct={canAct} busy={busy} view={model} />
          </section>
          <section className={styles.section} aria-labelledby="ollamalens-models-installed-heading">
            <h3 id="ollamalens-models-installed-heading" className={styles.heading}>
              Installed models
            </h3>
            <InstalledTable models={models} canAct={canAct} busy={busy} view={model} />
          </section>
          {canAct && <PullPanel pull={pull} view={model} />}
        </>
      )}
      <section className={styles.section} aria-labelledby="ollamalens-models-usage-heading">
        <h3 id="ollamalens-models-usage-heading" className={styles.heading}>
          Usage in this time range
        </h3>
        {usageError ? (
          <Alert severity="warning" title="Usage not available">
            {usageError}
          </Alert>
        ) : (
          <UsageTable usage={usage} />
        )}
      </section>
      {detail && <ModelDrawer detail={detail} onClose={() => model.closeDetail()} />}
      <ConfirmModal
        isOpen={Boolean(confirmDelete)}
        title="Delete model"
        body={`Delete ${confirmDelete ?? ''} from Ollama? Its files are removed from disk; pull it again to get it back.`}
        confirmText="Delete"
        onConfirm={() => {
          if (confirmDelete) {
            model.act('delete', confirmDelete);
          }
        }}
        onDismiss={() => model.askDelete(undefined)}
      />
      {copySource && (
        <CopyModal
          source={copySource}
          onCopy={(destination) => model.copy(copySource, destination)}
          onDismiss={() => model.askCopy(undefined)}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  section: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  heading: css({ fontSize: theme.typography.h4.fontSize, margin: 0 }),
});
