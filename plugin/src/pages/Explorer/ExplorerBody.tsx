import React from 'react';
import { css } from '@emotion/css';
import { getDefaultTimeRange, LoadingState, locationUtil, type GrafanaTheme2, type PanelData } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import {
  PanelBuilders,
  SceneDataNode,
  SceneObjectBase,
  sceneGraph,
  VariableDependencyConfig,
  type SceneComponentProps,
  type SceneObjectState,
  type VizPanel,
} from '@grafana/scenes';
import { Alert, Dropdown, Menu, Button, Text, useStyles2 } from '@grafana/ui';
import { LegendDisplayMode } from '@grafana/schema';
import { FilterError } from '../../api/filters';
import type { Aggregations, ExportFormat, SearchResult, SortKey as SortField, SortOrder } from '@ollama-lens/contracts';
import { messageUrl } from '../../constants';
import { eventsFrame } from '../../datasource/eventFrames';
import { timeseriesFrame } from '../../datasource/frames';
import { DS_VARIABLE, MissingDataSourceError, messagesConnectionFor } from '../../utils/datasource';
import { CategoryDonut } from './charts/CategoryDonut';
import { LatencyHistogram } from './charts/LatencyHistogram';
import { SummaryCards } from './charts/SummaryCards';
import { TokenScatter } from './charts/TokenScatter';
import { ExplorerFilters } from './ExplorerFilters';
import type { ExplorerQuery, ExplorerQuerySource } from './explorerQuery';
import { MessageTable } from './MessageTable';
import { SearchMatches } from './SearchMatches';

export interface ExplorerBodyState extends SceneObjectState {
  filters: ExplorerFilters;
  table: MessageTable;
  timeline: VizPanel;
  aggregations?: Aggregations;
  /** Highlighted full-text matches, when a search is set. */
  matches?: SearchResult[];
  loading: boolean;
  error?: string;
  /** The data source is missing: a setup problem, not a query error. */
  setupError?: string;
}

/**
 * The Explorer: filter bar, summary cards, charts and the message table. One aggregations request
 * feeds the cards and all charts (the timeline through a data node, so zooming it sets the time range).
 */
export class ExplorerBody extends SceneObjectBase<ExplorerBodyState> implements ExplorerQuerySource {
  static Component = ExplorerBodyRenderer;
  private requestSeq = 0;
  private timelineData: SceneDataNode;

  protected _variableDependency = new VariableDependencyConfig(this, {
    variableNames: [DS_VARIABLE],
    onReferencedVariableValueChanged: () => this.refresh(),
  });

  constructor(state: Partial<Pick<ExplorerBodyState, 'filters'>> = {}) {
    const timelineData = new SceneDataNode({ data: emptyPanelData() });
    super({
      filters: state.filters ?? new ExplorerFilters(),
      table: new MessageTable(),
      timeline: PanelBuilders.timeseries()
        .setTitle('Message timeline')
        .setDescription('Requests and errors per interval. Drag across the chart to zoom the time range.')
        .setData(timelineData)
        .setOption('legend', { showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] })
        .setCustomFieldConfig('fillOpacity', 20)
        .build(),
      loading: false,
    });
    this.timelineData = timelineData;
    this.addActivationHandler(() => this.onActivate());
  }

  private onActivate() {
    const filterSub = this.state.filters.subscribeToState((next, prev) => {
      if (next.filters !== prev.filters) {
        this.refresh();
      } else if (next.sort !== prev.sort || next.order !== prev.order) {
        this.state.table.reload();
      }
    });
    const timeSub = sceneGraph.getTimeRange(this).subscribeToState((next, prev) => {
      if (next.value !== prev.value) {
        this.refresh();
      }
    });
    this.refresh();
    return () => {
      filterSub.unsubscribe();
      timeSub.unsubscribe();
    };
  }

  /** Reloads everything: aggregations and the table's first page. */
  refresh() {
    void this.loadAggregations();
    this.state.table.reload();
  }

  currentQuery(): ExplorerQuery {
    const { client } = messagesConnectionFor(this);
    const range = sceneGraph.getTimeRange(this).state.value;
    const { filters, sort, order } = this.state.filters.values;
    return { client, filters: { ...filters, from: range.from.valueOf(), to: range.to.valueOf() }, sort, order };
  }

  sortState(): { sort: SortField; order: SortOrder } {
    const { sort, order } = this.state.filters.state;
    return { sort, order };
  }

  sortBy(field: SortField) {
    this.state.filters.sortBy(field);
  }

  messageHref(id: string): string {
    return `${messageUrl(id)}${locationService.getLocation().search}`;
  }

  openMessage(id: string) {
    locationService.push(this.messageHref(id));
  }

  exportUrl(format: ExportFormat): string | undefined {
    try {
      const { client, filters } = this.currentQuery();
      return client.exportUrl(filters, format);
    } catch {
      return undefined;
    }
  }

  private async loadAggregations() {
    const seq = ++this.requestSeq;
    let query: ExplorerQuery;
    try {
      query = this.currentQuery();
    } catch (err) {
      this.setState({ loading: false, setupError: errorText(err), aggregations: undefined });
      return;
    }
    this.setState({ loading: true, error: undefined, setupError: undefined });
    this.timelineData.setState({ data: { ...this.timelineData.state.data, state: LoadingState.Loading } });
    try {
      const { from = 0, to = Date.now() } = query.filters;
      const [aggregations, matches, events] = await Promise.all([
        query.client.aggregations(query.filters),
        query.filters.q ? query.client.search(query.filters, MATCHES) : Promise.resolve(undefined),
        // The events explain the timeline's changes; without them it still draws.
        query.client.events({ from, to }).catch(() => undefined),
      ]);
      if (seq !== this.requestSeq) {
        return;
      }
      this.setState({ aggregations, matches, loading: false });
      this.timelineData.setState({
        data: {
          state: LoadingState.Done,
          series: [timeseriesFrame('A', aggregations, ['requests', 'errors'])],
          annotations: events ? [eventsFrame('events', events.events)] : [],
          timeRange: sceneGraph.getTimeRange(this).state.value,
        },
      });
    } catch (err) {
      if (seq !== this.requestSeq) {
        return;
      }
      const message = errorText(err);
      this.setState({ aggregations: undefined, matches: undefined, loading: false, error: message });
      this.timelineData.setState({ data: { ...emptyPanelData(), state: LoadingState.Error, errors: [{ message }] } });
    }
  }
}

/** How many highlighted matches to show above the table. */
const MATCHES = 5;

function emptyPanelData(): PanelData {
  return { state: LoadingState.NotStarted, series: [], timeRange: getDefaultTimeRange() };
}

function errorText(err: unknown): string {
  if (err instanceof FilterError || err instanceof MissingDataSourceError || err instanceof Error) {
    return err.message;
  }
  return String(err);
}

function ExportMenu({ model }: { model: ExplorerBody }) {
  const item = (format: ExportFormat, label: string) => {
    const url = model.exportUrl(format);
    // target keeps Grafana from routing the click inside the app: the browser downloads the file.
    return <Menu.Item label={label} url={url && locationUtil.assureBaseUrl(url)} target="_self" disabled={!url} />;
  };
  return (
    <Dropdown
      overlay={
        <Menu>
          {item('csv', 'CSV')}
          {item('json', 'JSON')}
          {item('ndjson', 'NDJSON (one message per line)')}
        </Menu>
      }
    >
      <Button variant="secondary" icon="download-alt">
        Export
      </Button>
    </Dropdown>
  );
}

/** Says in words that the cards and charts describe only the newest matches (a search, or a filter the rollups lack). */
function sampleNote(a: Aggregations): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const newest = n(a.sample_size ?? 0);
  return a.matched === null
    ? `Based on the newest ${newest} matching messages (more match).`
    : `Based on the newest ${newest} of ${n(a.matched)} matching messages.`;
}

function ExplorerBodyRenderer({ model }: SceneComponentProps<ExplorerBody>) {
  const { filters, table, timeline, aggregations, matches, loading, error, setupError } = model.useState();
  const filterState = filters.useState();
  const styles = useStyles2(getStyles);

  if (setupError) {
    return (
      <div className={styles.page}>
        <Alert severity="warning" title="The Explorer needs the messages data source">
          {setupError}
        </Alert>
      </div>
    );
  }

  return (
    <div className={styles.page}>
      <div className={styles.toolbar}>
        <filters.Component model={filters} />
        <ExportMenu model={model} />
      </div>
      {filterState.urlProblems.length > 0 && (
        <Alert severity="info" title="Some filters in the link were ignored">
          {filterState.urlProblems.join('; ')}
        </Alert>
      )}
      {error && (
        <Alert severity="error" title="Could not load the analytics">
          {error}
        </Alert>
      )}
      <SummaryCards summary={aggregations?.summary} loading={loading} />
      {aggregations?.sampled && (
        <div data-testid="explorer-sample-note">
          <Text color="secondary" italic>
            {sampleNote(aggregations)}
          </Text>
        </div>
      )}
      <div className={styles.grid}>
        <div className={styles.timeline}>
          <timeline.Component model={timeline} />
        </div>
        <CategoryDonut
          buckets={aggregations?.breakdowns.category ?? []}
          selected={filterState.filters.category ?? []}
          onSelect={(c) => filters.toggleCategory(c)}
        />
        <TokenScatter points={aggregations?.scatter ?? []} onOpen={(id) => model.openMessage(id)} />
        <LatencyHistogram
          bins={aggregations?.latency_histogram ?? []}
          minMs={filterState.filters.min_latency_ms}
          maxMs={filterState.filters.max_latency_ms}
          onSelect={(min, max) => filters.setLatencyRange(min, max)}
        />
      </div>
      {matches && filterState.filters.q && (
        <SearchMatches query={filterState.filters.q} results={matches} hrefFor={(id) => model.messageHref(id)} />
      )}
      <table.Component model={table} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // The scene body is a flex row: grow to its full width (and let wide content shrink, not overflow).
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2), flex: 1, minWidth: 0 }),
  toolbar: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: theme.spacing(2) }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
    gap: theme.spacing(2),
  }),
  timeline: css({ minHeight: 260, height: 260 }),
});
