import React, { useState, type KeyboardEvent } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  SceneObjectBase,
  SceneObjectUrlSyncConfig,
  type SceneComponentProps,
  type SceneObjectState,
  type SceneObjectUrlValues,
} from '@grafana/scenes';
import { Button, Field, Icon, Input, MultiCombobox, Stack, useStyles2, type ComboboxOption } from '@grafana/ui';
import { FilterError, hasContentFilters, parseBound } from '../../api/filters';
import { CATEGORIES, REQUEST_STATUSES, type RangeFilterKey, type SortKey as SortField } from '@ollama-lens/contracts';
import { messagesConnectionFor } from '../../utils/datasource';
import {
  DEFAULT_ORDER,
  DEFAULT_SORT,
  emptyFilterValues,
  fromUrlValues,
  setList,
  setRange,
  setText,
  toUrlValues,
  URL_KEYS,
  type ExplorerFilterValues,
} from './filterState';

export interface ExplorerFiltersState extends SceneObjectState, ExplorerFilterValues {
  /** Problems found in the URL (ignored values), shown once above the results. */
  urlProblems: string[];
  modelOptions: string[];
  userOptions: string[];
  /** The sidecars sharing the store: the Server filter shows when there is more than one. */
  hostOptions: string[];
}

/**
 * The Explorer's filter bar. Its state is the filter; every change goes to the URL (one history step
 * per change), so a view can be shared and the back button undoes a filter.
 */
export class ExplorerFilters extends SceneObjectBase<ExplorerFiltersState> {
  static Component = ExplorerFiltersRenderer;
  protected _urlSync = new SceneObjectUrlSyncConfig(this, { keys: URL_KEYS });

  constructor(state: Partial<ExplorerFiltersState> = {}) {
    super({ ...emptyFilterValues(), urlProblems: [], modelOptions: [], userOptions: [], hostOptions: [], ...state });
    this.addActivationHandler(() => {
      void this.loadOptions();
    });
  }

  getUrlState(): SceneObjectUrlValues {
    return toUrlValues(this.state);
  }

  updateFromUrl(values: SceneObjectUrlValues) {
    const { values: next, problems } = fromUrlValues(values, this.state);
    // Scenes also calls this for URLs it wrote itself: an unchanged filter must not reload the page's data.
    if (sameUrlState(next, this.state)) {
      if (problems.length > 0) {
        this.setState({ urlProblems: problems });
      }
      return;
    }
    this.setState({ ...next, urlProblems: problems });
  }

  /** Filter + sort, as the data objects read it. */
  get values(): ExplorerFilterValues {
    return { filters: this.state.filters, sort: this.state.sort, order: this.state.order };
  }

  private change(mutate: (filters: ExplorerFilterValues['filters']) => void) {
    const filters = { ...this.state.filters };
    mutate(filters);
    this._urlSync.performBrowserHistoryAction(() => this.setState({ filters, urlProblems: [] }));
  }

  setSearch(q: string) {
    this.change((f) => setText(f, 'q', q.trim() || undefined));
  }

  setUser(user: string) {
    this.change((f) => setText(f, 'user', user.trim() || undefined));
  }

  setSession(session: string | undefined) {
    this.change((f) => setText(f, 'session', session?.trim() || undefined));
  }

  setModels(models: string[]) {
    this.change((f) => setList(f, 'model', models));
  }

  setStatuses(statuses: string[]) {
    this.change((f) => setList(f, 'status', statuses));
  }

  setCategories(categories: string[]) {
    this.change((f) => setList(f, 'category', categories));
  }

  setHosts(hosts: string[]) {
    this.change((f) => setList(f, 'host', hosts));
  }

  setOrigins(origins: string[]) {
    this.change((f) => setList(f, 'origin', origins));
  }

  /** Donut click: filter by that category, or remove it when it is the only one selected. */
  toggleCategory(category: string) {
    const current = this.state.filters.category ?? [];
    this.setCategories(current.length === 1 && current[0] === category ? [] : [category]);
  }

  setRange(key: RangeFilterKey, value: number | undefined) {
    this.change((f) => setRange(f, key, value));
  }

  /** Histogram click: messages with min ≤ latency ≤ max (max undefined = no upper bound). */
  setLatencyRange(min: number | undefined, max: number | undefined) {
    this.change((f) => {
      setRange(f, 'min_latency_ms', min);
      setRange(f, 'max_latency_ms', max);
    });
  }

  /** Column header click: sort by it; a second click flips the order. */
  sortBy(field: SortField) {
    const order = this.state.sort === field ? (this.state.order === 'desc' ? 'asc' : 'desc') : 'desc';
    this._urlSync.performBrowserHistoryAction(() => this.setState({ sort: field, order }));
  }

  clear() {
    this._urlSync.performBrowserHistoryAction(() =>
      this.setState({ filters: {}, sort: DEFAULT_SORT, order: DEFAULT_ORDER, urlProblems: [] })
    );
  }

  private async loadOptions() {
    try {
      const { client } = messagesConnectionFor(this);
      const [models, users, hosts] = await Promise.all([client.models(), client.users(), client.hosts()]);
      this.setState({
        modelOptions: models.map((m) => m.name),
        userOptions: users.map((u) => u.name),
        hostOptions: hosts.map((h) => h.name),
      });
    } catch {
      // The option lists are a convenience; the results area reports connection problems.
    }
  }
}

function sameUrlState(a: ExplorerFilterValues, b: ExplorerFilterValues): boolean {
  return JSON.stringify(toUrlValues(a)) === JSON.stringify(toUrlValues(b));
}

const STATUS_OPTIONS: Array<ComboboxOption<string>> = REQUEST_STATUSES.map((s) => ({ value: s, label: s }));
const CATEGORY_OPTIONS: Array<ComboboxOption<string>> = CATEGORIES.map((c) => ({ value: c, label: c }));
/** The status line's own requests are never stored, so only the playground is offered. */
const ORIGIN_OPTIONS: Array<ComboboxOption<string>> = [{ value: 'playground', label: 'Playground' }];
const RANGE_INPUTS: Array<{ key: RangeFilterKey; label: string }> = [
  { key: 'min_input_tokens', label: 'Min input tokens' },
  { key: 'max_input_tokens', label: 'Max input tokens' },
  { key: 'min_output_tokens', label: 'Min output tokens' },
  { key: 'max_output_tokens', label: 'Max output tokens' },
  { key: 'min_latency_ms', label: 'Min latency (ms)' },
  { key: 'max_latency_ms', label: 'Max latency (ms)' },
];

function withSelected(options: string[], selected: string[] | undefined): Array<ComboboxOption<string>> {
  const all = new Set([...options, ...(selected ?? [])]);
  return Array.from(all).map((v) => ({ value: v, label: v }));
}

function ExplorerFiltersRenderer({ model }: SceneComponentProps<ExplorerFilters>) {
  const { filters, modelOptions, userOptions, hostOptions } = model.useState();
  // One sidecar (the usual set-up) needs no server filter; several sharing a store do.
  const showHosts = hostOptions.length > 1 || (filters.host?.length ?? 0) > 0;
  const styles = useStyles2(getStyles);
  const advancedSet = RANGE_INPUTS.some(({ key }) => filters[key] !== undefined) || (filters.origin?.length ?? 0) > 0;
  const [opened, setOpened] = useState(false);
  // An advanced filter in effect (from a link, a histogram click…) is never hidden.
  const advanced = opened || advancedSet;
  const [rangeError, setRangeError] = useState<string | undefined>();

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      model.setSearch(e.currentTarget.value);
    }
  };

  return (
    <div className={styles.bar} role="search" aria-label="Message filters">
      {/* MultiCombobox takes no aria-label: each is named by its Field label through its id. */}
      <Stack direction="row" gap={1} wrap="wrap" alignItems="flex-end">
        <Field label="Search" className={styles.field}>
          <Input
            key={`q-${filters.q ?? ''}`}
            aria-label="Search prompts and responses"
            prefix={<Icon name="search" />}
            placeholder="Search prompts and responses…"
            defaultValue={filters.q ?? ''}
            width={40}
            onKeyDown={onSearchKey}
            onBlur={(e) => {
              if ((filters.q ?? '') !== e.currentTarget.value.trim()) {
                model.setSearch(e.currentTarget.value);
              }
            }}
          />
        </Field>
        <Field label="Model" className={styles.field}>
          <MultiCombobox<string>
            id="ollamalens-filter-model"
            options={withSelected(modelOptions, filters.model)}
            value={filters.model ?? []}
            placeholder="All models"
            width="auto"
            minWidth={20}
            maxWidth={40}
            onChange={(opts) => model.setModels(opts.map((o) => o.value))}
          />
        </Field>
        <Field label="Status" className={styles.field}>
          <MultiCombobox<string>
            id="ollamalens-filter-status"
            options={STATUS_OPTIONS}
            value={filters.status ?? []}
            placeholder="Any status"
            width="auto"
            minWidth={16}
            onChange={(opts) => model.setStatuses(opts.map((o) => o.value))}
          />
        </Field>
        <Field label="Category" className={styles.field}>
          <MultiCombobox<string>
            id="ollamalens-filter-category"
            options={CATEGORY_OPTIONS}
            value={filters.category ?? []}
            placeholder="Any category"
            width="auto"
            minWidth={18}
            onChange={(opts) => model.setCategories(opts.map((o) => o.value))}
          />
        </Field>
        {showHosts && (
          <Field label="Server" className={styles.field}>
            <MultiCombobox<string>
              id="ollamalens-filter-host"
              options={withSelected(hostOptions, filters.host)}
              value={filters.host ?? []}
              placeholder="All servers"
              width="auto"
              minWidth={18}
              onChange={(opts) => model.setHosts(opts.map((o) => o.value))}
            />
          </Field>
        )}
        <Field label="User" className={styles.field}>
          <Input
            key={`user-${filters.user ?? ''}`}
            aria-label="User"
            placeholder="Any user"
            list="ollamalens-users"
            defaultValue={filters.user ?? ''}
            width={20}
            onKeyDown={(e) => e.key === 'Enter' && model.setUser(e.currentTarget.value)}
            onBlur={(e) => {
              if ((filters.user ?? '') !== e.currentTarget.value.trim()) {
                model.setUser(e.currentTarget.value);
              }
            }}
          />
        </Field>
        <datalist id="ollamalens-users">
          {userOptions.map((u) => (
            <option key={u} value={u} />
          ))}
        </datalist>
        <Button
          variant="secondary"
          fill="outline"
          icon={advanced ? 'angle-up' : 'angle-down'}
          onClick={() => setOpened(!advanced)}
          aria-expanded={advanced}
        >
          Advanced filters
        </Button>
        {(hasContentFilters(filters) || filters.session) && (
          <Button variant="secondary" fill="text" icon="times" onClick={() => model.clear()}>
            Clear filters
          </Button>
        )}
      </Stack>
      {filters.session && (
        <div className={styles.note}>
          Session <code>{filters.session}</code>{' '}
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            icon="times"
            onClick={() => model.setSession(undefined)}
            aria-label="Remove session filter"
          />
        </div>
      )}
      {advanced && (
        <Stack direction="row" gap={1} wrap="wrap">
          <Field label="Origin" className={styles.field}>
            <MultiCombobox<string>
              id="ollamalens-filter-origin"
              options={ORIGIN_OPTIONS}
              value={filters.origin ?? []}
              placeholder="Any origin"
              width="auto"
              minWidth={16}
              onChange={(opts) => model.setOrigins(opts.map((o) => o.value))}
            />
          </Field>
          {RANGE_INPUTS.map(({ key, label }) => (
            <Field
              key={key}
              label={label}
              className={styles.field}
              invalid={rangeError?.startsWith(key)}
              error={rangeError?.startsWith(key) ? rangeError : undefined}
            >
              <Input
                key={`${key}-${filters[key] ?? ''}`}
                aria-label={label}
                type="number"
                min={0}
                width={16}
                defaultValue={filters[key] ?? ''}
                onBlur={(e) => {
                  try {
                    const value = parseBound(key, e.currentTarget.value);
                    setRangeError(undefined);
                    if (value !== filters[key]) {
                      model.setRange(key, value);
                    }
                  } catch (err) {
                    setRangeError(err instanceof FilterError ? err.message : String(err));
                  }
                }}
              />
            </Field>
          ))}
        </Stack>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  field: css({ marginBottom: 0 }),
  note: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
