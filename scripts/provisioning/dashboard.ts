/**
 * Builds the Overview dashboard JSON from the query catalogue with @grafana/grafana-foundation-sdk (classic
 * dashboard schema, which file provisioning and app-included dashboards both read). The SDK types the panel
 * options; the catalogue decides what goes in them. The SDK has no alert-list builder, so that one panel is
 * written as plain JSON.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import {
  EVENT_LAYERS,
  eventLayerTarget,
  EXPLORER_PATH,
  MESSAGES_DATASOURCE_REF,
  STATUS_PANEL,
  OVERVIEW_DASHBOARD_TITLE,
  OVERVIEW_DASHBOARD_UID,
  PANELS,
  SECTIONS,
  VARIABLES,
  type AlertListPanelDef,
  type PanelDef,
  type PanelLink,
  type PanelQuery,
  type QueryOverride,
  type Threshold,
  type VariableDef,
} from '../../plugin/src/queries';

/** Every query goes through the dashboard's Prometheus variable, so users can point it elsewhere. */
const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

function target(q: PanelQuery): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(q.refId)
    .expr(q.expr)
    .legendFormat(q.legend)
    .editorMode(prometheus.QueryEditorMode.Code);
  if (q.instant) b.instant();
  else b.range();
  if (q.format === 'table') b.format(prometheus.PromQueryFormat.Table);
  if (q.format === 'heatmap') b.format(prometheus.PromQueryFormat.Heatmap);
  if (q.exemplar) b.exemplar(true);
  return b;
}

function thresholds(steps: Threshold[] | undefined): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps ?? [{ value: null, color: 'green' }]);
}

function overrideProperties(o: QueryOverride): dashboard.DynamicConfigValue[] {
  const props: dashboard.DynamicConfigValue[] = [];
  if (o.unit) props.push({ id: 'unit', value: o.unit });
  if (o.decimals !== undefined) props.push({ id: 'decimals', value: o.decimals });
  if (o.axis) props.push({ id: 'custom.axisPlacement', value: o.axis });
  if (o.axisLabel) props.push({ id: 'custom.axisLabel', value: o.axisLabel });
  if (o.dashed) props.push({ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } });
  return props;
}

/** The settings every panel type shares: identity, place, datasource, queries and field defaults. */
interface CommonPanelBuilder {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  gridPos(gridPos: dashboard.GridPos): this;
  datasource(datasource: common.DataSourceRef): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  unit(unit: string): this;
  decimals(decimals: number): this;
  min(min: number): this;
  max(max: number): this;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): this;
  dataLinks(links: cog.Builder<dashboard.DashboardLink>[]): this;
}

/**
 * A field data link. Grafana's data links are `{ title, url }`; the SDK types them as dashboard links,
 * whose other fields (type, icon, tags, …) a data link does not have.
 */
function dataLink(l: PanelLink): cog.Builder<dashboard.DashboardLink> {
  return { build: () => ({ title: l.title, url: l.url }) as dashboard.DashboardLink };
}

function applyCommon<B extends CommonPanelBuilder>(b: B, p: PanelDef): B {
  b.id(p.id)
    .title(p.title)
    .description(p.description)
    .gridPos(p.gridPos)
    .datasource(DATASOURCE)
    .thresholds(thresholds(p.thresholds));
  for (const q of p.queries) b.withTarget(target(q));
  if (p.unit) b.unit(p.unit);
  if (p.decimals !== undefined) b.decimals(p.decimals);
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  if (p.links) b.dataLinks(p.links.map(dataLink));
  return b;
}

function buildPanel(p: PanelDef): cog.Builder<dashboard.Panel> {
  switch (p.type) {
    case 'stat': {
      const b = applyCommon(new stat.PanelBuilder(), p)
        .graphMode(common.BigValueGraphMode.Area)
        .colorMode(common.BigValueColorMode.Value)
        .textMode(p.queries.length > 1 ? common.BigValueTextMode.ValueAndName : common.BigValueTextMode.Value)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .showPercentChange(p.percentChange !== undefined);
      if (p.percentChange) {
        b.percentChangeColorMode(
          p.percentChange === 'inverted'
            ? common.PercentChangeColorMode.Inverted
            : common.PercentChangeColorMode.Standard
        );
      }
      if (p.valueMappings) {
        const options: Record<string, dashboard.ValueMappingResult> = {};
        p.valueMappings.forEach(
          (m, index) => (options[String(m.value)] = { text: m.text, color: m.color, index })
        );
        b.mappings([{ type: dashboard.MappingType.ValueToText, options }]);
        b.graphMode(common.BigValueGraphMode.None).colorMode(common.BigValueColorMode.Background);
      }
      if (p.emptyText) {
        // 0/0 over a window without requests is NaN; say so in words.
        b.mappings([
          {
            type: dashboard.MappingType.SpecialValue,
            options: {
              match: dashboard.SpecialValueMatch.NullAndNan,
              result: { text: p.emptyText, color: 'text', index: 0 },
            },
          },
        ]).noValue(p.emptyText);
      }
      return b;
    }
    case 'timeseries': {
      const b = applyCommon(new timeseries.PanelBuilder(), p)
        .drawStyle(common.GraphDrawStyle.Line)
        .lineInterpolation(common.LineInterpolation.Smooth)
        .fillOpacity(p.fillOpacity ?? 10)
        .showPoints(common.VisibilityMode.Never)
        .spanNulls(false)
        .legend(
          new common.VizLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(common.LegendDisplayMode.List)
            .placement(common.LegendPlacement.Bottom)
            .calcs([])
        )
        .tooltip(
          new common.VizTooltipOptionsBuilder()
            .mode(common.TooltipDisplayMode.Multi)
            .sort(common.SortOrder.Descending)
        );
      if (p.stack) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'));
      for (const o of p.overrides ?? []) b.overrideByQuery(o.refId, overrideProperties(o));
      return b;
    }
    case 'heatmap':
      return applyCommon(new heatmap.PanelBuilder(), p)
        .calculate(false)
        .yAxis(new heatmap.YAxisConfigBuilder().unit(p.unit ?? 's').axisPlacement(common.AxisPlacement.Left))
        .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Auto))
        .color(
          new heatmap.HeatmapColorOptionsBuilder()
            .mode(heatmap.HeatmapColorMode.Scheme)
            .scheme('Oranges')
            .fill('dark-orange')
            .scale(heatmap.HeatmapColorScale.Exponential)
            .exponent(0.5)
            .steps(64)
            .reverse(false)
        )
        .cellGap(1)
        .filterValues(new heatmap.FilterValueRangeBuilder().le(1e-9))
        .showValue(common.VisibilityMode.Never)
        .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true))
        .exemplarsColor('rgba(255,0,255,0.7)')
        .showLegend();
    case 'piechart':
      return applyCommon(new piechart.PanelBuilder(), p)
        .pieType(piechart.PieChartType.Donut)
        .displayLabels([piechart.PieChartLabels.Percent])
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .legend(
          new piechart.PieChartLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(common.LegendDisplayMode.Table)
            .placement(common.LegendPlacement.Right)
            .values([piechart.PieChartLegendValues.Value, piechart.PieChartLegendValues.Percent])
        )
        .tooltip(
          new common.VizTooltipOptionsBuilder()
            .mode(common.TooltipDisplayMode.Single)
            .sort(common.SortOrder.None)
        );
    case 'table': {
      // Instant queries with format=table give one frame per query (Time, <joinBy>, Value #<refId>): merge joins
      // them on the label, organize hides Time and names the value columns.
      const renameByName: Record<string, string> = { [p.joinBy]: p.joinTitle };
      const indexByName: Record<string, number> = { [p.joinBy]: 0 };
      p.columns.forEach((c, i) => {
        renameByName[`Value #${c.refId}`] = c.title;
        indexByName[`Value #${c.refId}`] = i + 1;
      });
      const b = applyCommon(new table.PanelBuilder(), p)
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: { excludeByName: { Time: true }, renameByName, indexByName },
        })
        .sortBy([new common.TableSortByFieldStateBuilder().displayName(p.columns[0].title).desc(true)])
        .footer(new common.TableFooterOptionsBuilder().show(false).reducer(['sum']))
        .cellHeight(common.TableCellHeight.Sm);
      for (const c of p.columns) {
        const props: dashboard.DynamicConfigValue[] = [];
        if (c.unit) props.push({ id: 'unit', value: c.unit });
        if (c.decimals !== undefined) props.push({ id: 'decimals', value: c.decimals });
        b.overrideByName(c.title, props);
      }
      return b;
    }
    case 'alertlist':
      return alertListPanel(p);
  }
}

/** Grafana's unified alert list panel (no SDK builder exists for it). */
function alertListPanel(p: AlertListPanelDef): cog.Builder<dashboard.Panel> {
  const panel: dashboard.Panel = {
    type: 'alertlist',
    id: p.id,
    title: p.title,
    description: p.description,
    gridPos: p.gridPos,
    options: {
      viewMode: 'list',
      groupMode: 'default',
      groupBy: [],
      maxItems: 20,
      // 3 = by importance (firing first).
      sortOrder: 3,
      dashboardAlerts: false,
      alertName: '',
      alertInstanceLabelFilter: p.labelFilter,
      showInstances: true,
      stateFilter: { firing: true, pending: true, noData: true, normal: false, error: true },
    },
  };
  return { build: () => panel };
}

function variable(v: VariableDef): cog.Builder<dashboard.VariableModel> {
  switch (v.kind) {
    case 'datasource':
      return new dashboard.DatasourceVariableBuilder(v.name)
        .label(v.label)
        .description(v.description)
        .type(v.pluginId)
        .current({ text: v.defaultUid, value: v.defaultUid, selected: true });
    case 'query':
      return new dashboard.QueryVariableBuilder(v.name)
        .label(v.label)
        .description(v.description)
        .datasource(DATASOURCE)
        .query(v.query)
        .definition(v.query)
        .multi(v.multi)
        .includeAll(v.includeAll)
        .allValue(v.allValue)
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc)
        .current({ text: ['All'], value: ['$__all'], selected: true });
    case 'interval':
      return new dashboard.IntervalVariableBuilder(v.name)
        .label(v.label)
        .description(v.description)
        .values(v.options.join(','))
        .options(v.options.map((o) => ({ text: o, value: o, selected: o === v.defaultValue })))
        .current({ text: v.defaultValue, value: v.defaultValue, selected: true });
  }
}

/** A messages data source query in the SDK's types (its marker method is not serialised into the JSON). */
function messagesTarget(query: { refId: string; queryType: string }): cog.Builder<cog.Dataquery> {
  const target = {
    ...query,
    datasource: MESSAGES_DATASOURCE_REF,
    _implementsDataqueryVariant: () => undefined,
  };
  return { build: () => target };
}

/** The sidecar's status line across the top: the line itself, coloured by its level (the frame sets it). */
function statusPanel(): cog.Builder<dashboard.Panel> {
  return new stat.PanelBuilder()
    .id(STATUS_PANEL.id)
    .title(STATUS_PANEL.title)
    .description(STATUS_PANEL.description)
    .gridPos({ x: 0, y: 0, w: 24, h: STATUS_PANEL.height })
    .datasource(MESSAGES_DATASOURCE_REF)
    .withTarget(messagesTarget(STATUS_PANEL.target))
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .textMode(common.BigValueTextMode.Value)
    .justifyMode(common.BigValueJustifyMode.Center)
    .reduceOptions(
      new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false).fields('/^status$/')
    );
}

/** One toggleable annotation layer per event group, from the messages data source. */
function eventLayer(layer: (typeof EVENT_LAYERS)[number]): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name(layer.name)
    .datasource(MESSAGES_DATASOURCE_REF)
    .enable(true)
    .hide(false)
    .iconColor(layer.iconColor)
    .target(messagesTarget(eventLayerTarget(layer)));
}

/** Panels keep the catalogue's grid, below the status line. */
function below(gridPos: dashboard.GridPos): dashboard.GridPos {
  return { ...gridPos, y: gridPos.y + STATUS_PANEL.height };
}

/** The Overview dashboard as the JSON Grafana provisions (id null, fixed uid). */
export function buildOverviewDashboard(): dashboard.Dashboard {
  const b = new dashboard.DashboardBuilder(OVERVIEW_DASHBOARD_TITLE)
    .id(null)
    .uid(OVERVIEW_DASHBOARD_UID)
    .description(
      'Ollama through the Ollama Lens sidecar: traffic, latency, tokens, memory, cost, errors, alerts and the host. Exemplars link to single messages in the Explorer.'
    )
    .tags(['ollama', 'ollama-lens', 'llm'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    // Grafana's own "Annotations & Alerts" (alert state changes and manual annotations on the panels).
    .annotation(
      new dashboard.AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .type('dashboard')
    )
    .link(
      new dashboard.DashboardLinkBuilder('Message Explorer')
        .type(dashboard.DashboardLinkType.Link)
        .url(EXPLORER_PATH)
        .icon('external link')
        .keepTime(true)
        .targetBlank(false)
        .includeVars(false)
        .asDropdown(false)
        .tooltip('Search and read the messages behind these metrics')
    );
  for (const layer of EVENT_LAYERS) b.annotation(eventLayer(layer));
  for (const v of VARIABLES) b.withVariable(variable(v));

  // Classic dashboards list panels in reading order with rows inline; gridPos places them.
  const rows = new Map(SECTIONS.map((s) => [s.key, s]));
  b.withPanel(statusPanel());
  for (const p of PANELS.filter((x) => x.section === 'summary'))
    b.withPanel(buildPanel({ ...p, gridPos: below(p.gridPos) }));
  for (const section of SECTIONS) {
    const row = rows.get(section.key);
    if (!row) continue;
    b.withRow(rowBuilder(row.id, row.title, row.y + STATUS_PANEL.height));
    for (const p of PANELS.filter((x) => x.section === section.key))
      b.withPanel(buildPanel({ ...p, gridPos: below(p.gridPos) }));
  }
  return b.build();
}

function rowBuilder(id: number, title: string, y: number): cog.Builder<dashboard.RowPanel> {
  const row: dashboard.RowPanel = {
    type: 'row',
    id,
    title,
    collapsed: false,
    panels: [],
    gridPos: { x: 0, y, w: 24, h: 1 },
  };
  return { build: () => row };
}
