/**
 * Grafana's core `timeseries` and `stat` panels are part of Grafana's bundle, not of any package. These
 * stand-ins draw the same data with @grafana/ui's TimeSeries (uPlot) and BigValue, so the Overview's
 * charts and cards render real values (and real "NaN"s) in the browser.
 */
import React from 'react';
import {
  FieldType,
  PanelPlugin,
  getFieldDisplayValues,
  standardFieldConfigEditorRegistry,
  type FieldConfigPropertyItem,
  type PanelProps,
} from '@grafana/data';
import { setPluginImportUtils } from '@grafana/runtime';
import {
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  TimeSeries,
  useTheme2,
} from '@grafana/ui';
import { LegendDisplayMode, type VizLegendOptions } from '@grafana/schema';

interface TimeSeriesOptions {
  legend?: VizLegendOptions;
}

function TimeSeriesPanel({ data, width, height, timeRange, timeZone, options }: PanelProps<TimeSeriesOptions>) {
  const frames = data.series.filter((f) => f.fields.some((field) => field.type === FieldType.time));
  if (frames.length === 0) {
    return <div style={{ padding: 8 }}>No data</div>;
  }
  return (
    <TimeSeries
      frames={frames}
      structureRev={data.structureRev}
      timeRange={timeRange}
      timeZone={timeZone}
      width={width}
      height={height}
      legend={
        options.legend ?? { showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }
      }
    />
  );
}

interface StatOptions {
  graphMode?: BigValueGraphMode;
}

function StatPanel({ data, width, height, fieldConfig, replaceVariables, timeZone, options }: PanelProps<StatOptions>) {
  const theme = useTheme2();
  const values = getFieldDisplayValues({
    fieldConfig,
    reduceOptions: { calcs: ['lastNotNull'], values: false },
    replaceVariables,
    theme,
    data: data.series,
    timeZone,
  });
  const first = values[0];
  if (!first) {
    return <div style={{ padding: 8 }}>No data</div>;
  }
  return (
    <BigValue
      theme={theme}
      value={first.display}
      sparkline={first.sparkline}
      width={width}
      height={height}
      colorMode={BigValueColorMode.Value}
      graphMode={options.graphMode ?? BigValueGraphMode.Area}
      justifyMode={BigValueJustifyMode.Auto}
      textMode={values.length > 1 ? BigValueTextMode.ValueAndName : BigValueTextMode.Value}
    />
  );
}

/** The standard field options Grafana core registers at start-up (units, decimals, mappings, …). */
const STANDARD_OPTIONS = [
  'unit',
  'decimals',
  'min',
  'max',
  'mappings',
  'thresholds',
  'color',
  'displayName',
  'noValue',
  'links',
  'fieldMinMax',
];

function registerStandardFieldOptions() {
  standardFieldConfigEditorRegistry.setInit(() =>
    STANDARD_OPTIONS.map(
      (id) =>
        ({
          id,
          path: id,
          name: id,
          process: (value: unknown) => value,
          shouldApply: () => true,
          override: () => null,
          editor: () => null,
        }) as unknown as FieldConfigPropertyItem
    )
  );
}

export function registerPanels(): void {
  registerStandardFieldOptions();
  const plugins: Record<string, PanelPlugin> = {
    timeseries: new PanelPlugin<TimeSeriesOptions>(TimeSeriesPanel).useFieldConfig(),
    stat: new PanelPlugin<StatOptions>(StatPanel).useFieldConfig(),
  };
  for (const [id, plugin] of Object.entries(plugins)) {
    plugin.meta = {
      ...plugin.meta,
      id,
      name: id,
      type: 'panel',
      module: `core:plugin/${id}`,
      baseUrl: '',
      info: {
        author: { name: 'Grafana Labs' },
        description: '',
        links: [],
        logos: { small: '', large: '' },
        screenshots: [],
        updated: '',
        version: '13.1.0',
      },
    } as PanelPlugin['meta'];
  }
  setPluginImportUtils({
    importPanelPlugin: async (id: string) => {
      const plugin = plugins[id];
      if (!plugin) {
        throw new Error(`no stand-in for the ${id} panel`);
      }
      return plugin;
    },
    getPanelPluginFromCache: (id: string) => plugins[id],
  });
}
