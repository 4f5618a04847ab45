import { MappingType, SpecialValueMatch, ThresholdsMode, type ValueMapping } from '@grafana/data';
import { PanelBuilders, SceneQueryRunner, type VizPanel } from '@grafana/scenes';
import { AxisPlacement, BigValueGraphMode, PercentChangeColorMode, StackingMode } from '@grafana/schema';
import type { PanelDef, PanelQuery, StatPanelDef, TimeSeriesPanelDef } from '../../queries';

/** Variable holding the Prometheus data source (same name as on the provisioned dashboard). */
export const PROMETHEUS_VARIABLE = 'datasource';

/** Scenes query runner for a catalogue panel: the same PromQL the provisioned dashboard runs. */
export function queryRunnerFor(def: PanelDef): SceneQueryRunner {
  return new SceneQueryRunner({
    datasource: { type: 'prometheus', uid: `\${${PROMETHEUS_VARIABLE}}` },
    maxDataPoints: 300,
    queries: def.queries.map((q: PanelQuery) => ({
      refId: q.refId,
      expr: q.expr,
      legendFormat: q.legend,
      instant: q.instant ?? false,
      range: !q.instant,
      exemplar: q.exemplar ?? false,
      format: q.format ?? 'time_series',
    })),
  });
}

function statPanel(def: StatPanelDef): VizPanel {
  const builder = PanelBuilders.stat()
    .setTitle(def.title)
    .setDescription(def.description)
    .setData(queryRunnerFor(def))
    .setOption('graphMode', BigValueGraphMode.Area)
    .setOption('showPercentChange', def.percentChange !== undefined)
    .setOption(
      'percentChangeColorMode',
      def.percentChange === 'inverted' ? PercentChangeColorMode.Inverted : PercentChangeColorMode.Standard
    );
  if (def.unit) {
    builder.setUnit(def.unit);
  }
  if (def.decimals !== undefined) {
    builder.setDecimals(def.decimals);
  }
  if (def.thresholds) {
    builder.setThresholds({
      mode: ThresholdsMode.Absolute,
      steps: def.thresholds.map((t) => ({ value: t.value ?? -Infinity, color: t.color })),
    });
  }
  const mappings: ValueMapping[] = (def.valueMappings ?? []).map((m) => ({
    type: MappingType.ValueToText,
    options: { [String(m.value)]: { text: m.text, color: m.color } },
  }));
  if (def.emptyText) {
    mappings.push({
      type: MappingType.SpecialValue,
      options: { match: SpecialValueMatch.NullAndNaN, result: { text: def.emptyText, color: 'text' } },
    });
    builder.setNoValue(def.emptyText);
  }
  if (mappings.length > 0) {
    builder.setMappings(mappings);
  }
  return builder.build();
}

function timeseriesPanel(def: TimeSeriesPanelDef): VizPanel {
  const builder = PanelBuilders.timeseries()
    .setTitle(def.title)
    .setDescription(def.description)
    .setData(queryRunnerFor(def))
    .setCustomFieldConfig('fillOpacity', def.fillOpacity ?? 10);
  if (def.unit) {
    builder.setUnit(def.unit);
  }
  if (def.min !== undefined) {
    builder.setMin(def.min);
  }
  if (def.max !== undefined) {
    builder.setMax(def.max);
  }
  if (def.stack) {
    builder.setCustomFieldConfig('stacking', { mode: StackingMode.Normal, group: 'A' });
  }
  const overrides = def.overrides ?? [];
  if (overrides.length > 0) {
    builder.setOverrides((b) => {
      for (const o of overrides) {
        b.matchFieldsByQuery(o.refId);
        if (o.unit) {
          b.overrideUnit(o.unit);
        }
        if (o.decimals !== undefined) {
          b.overrideDecimals(o.decimals);
        }
        if (o.axis) {
          b.overrideCustomFieldConfig('axisPlacement', o.axis === 'right' ? AxisPlacement.Right : AxisPlacement.Left);
        }
        if (o.axisLabel) {
          b.overrideCustomFieldConfig('axisLabel', o.axisLabel);
        }
        if (o.dashed) {
          b.overrideCustomFieldConfig('lineStyle', { fill: 'dash', dash: [10, 10] });
        }
      }
    });
  }
  return builder.build();
}

/** A VizPanel for the panel types the Overview page shows (the full set lives on the provisioned dashboard). */
export function vizPanelFor(def: PanelDef): VizPanel {
  switch (def.type) {
    case 'stat':
      return statPanel(def);
    case 'timeseries':
      return timeseriesPanel(def);
    default:
      throw new Error(`the Overview page does not render ${def.type} panels (${def.key})`);
  }
}
