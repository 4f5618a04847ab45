import {
  dataLayers,
  DataSourceVariable,
  EmbeddedScene,
  IntervalVariable,
  QueryVariable,
  SceneAppPage,
  SceneCSSGridLayout,
  SceneControlsSpacer,
  SceneDataLayerSet,
  SceneFlexItem,
  SceneFlexLayout,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  VariableValueSelectors,
  type SceneVariable,
} from '@grafana/scenes';
import { ROUTES } from '../../constants';
import { EVENT_LAYERS, eventLayerTarget, panelByKey, VARIABLES, type VariableDef } from '../../queries';
import { DS_VARIABLE } from '../../utils/datasource';
import { MESSAGES_DATASOURCE_TYPE } from '@ollama-lens/contracts';
import { prefixRoute } from '../../utils/utils.routing';
import { messagesDataSourceVariable } from '../Explorer/dataSourceVariable';
import { PROMETHEUS_VARIABLE, vizPanelFor } from './prometheusPanels';
import { StatusBanner } from './StatusBanner';
import { StoreSummary } from './StoreSummary';

/** Catalogue keys of what the Overview shows: the four cards, then the key charts. */
export const OVERVIEW_CARDS = ['requestsPerMinute', 'averageLatency', 'errorRate', 'successRate', 'tokenRate'] as const;
export const OVERVIEW_CHARTS = [
  'requestRateLatency',
  'requestRateByModel',
  'tokensPerSecondByModel',
  'timeToFirstToken',
  'errorsByType',
] as const;

/** The dashboard variables of the catalogue, as Scenes variables (so the queries run unchanged). */
export function catalogueVariable(def: VariableDef): SceneVariable {
  switch (def.kind) {
    case 'datasource':
      return new DataSourceVariable({
        name: def.name,
        label: def.label,
        description: def.description,
        pluginId: def.pluginId,
        value: def.defaultUid,
      });
    case 'query':
      return new QueryVariable({
        name: def.name,
        label: def.label,
        description: def.description,
        datasource: { type: 'prometheus', uid: `\${${PROMETHEUS_VARIABLE}}` },
        query: { query: def.query, refId: 'A' },
        isMulti: def.multi,
        includeAll: def.includeAll,
        allValue: def.allValue,
        defaultToAll: def.includeAll,
      });
    case 'interval':
      return new IntervalVariable({
        name: def.name,
        label: def.label,
        description: def.description,
        intervals: def.options,
        value: def.defaultValue,
      });
  }
}

function grid(keys: readonly string[], minColumnWidth: number, rowHeight: number): SceneCSSGridLayout {
  return new SceneCSSGridLayout({
    templateColumns: `repeat(auto-fit, minmax(${minColumnWidth}px, 1fr))`,
    autoRows: `${rowHeight}px`,
    rowGap: 1,
    columnGap: 1,
    children: keys.map((key) => vizPanelFor(panelByKey(key))),
  });
}

/**
 * The sidecar's events on every chart, one layer per group (as on the provisioned dashboard, where each is
 * a toggle). No toggles here: Scenes' layer switches have no accessible name (axe: critical).
 */
export function eventLayers(): SceneDataLayerSet {
  return new SceneDataLayerSet({
    layers: EVENT_LAYERS.map(
      (layer) =>
        new dataLayers.AnnotationsDataLayer({
          name: layer.name,
          description: layer.description,
          isEnabled: true,
          query: {
            name: layer.name,
            enable: true,
            iconColor: layer.iconColor,
            datasource: { type: MESSAGES_DATASOURCE_TYPE, uid: `\${${DS_VARIABLE}}` },
            target: eventLayerTarget(layer),
          },
        })
    ),
  });
}

export function overviewScene(): EmbeddedScene {
  return new EmbeddedScene({
    $data: eventLayers(),
    $timeRange: new SceneTimeRange({ from: 'now-1h', to: 'now' }),
    $variables: new SceneVariableSet({
      variables: [...VARIABLES.map(catalogueVariable), messagesDataSourceVariable()],
    }),
    controls: [
      new VariableValueSelectors({}),
      new SceneControlsSpacer(),
      new SceneTimePicker({ isOnCanvas: true }),
      // withText: the run button needs a visible name (an icon alone has none for screen readers).
      new SceneRefreshPicker({ intervals: ['10s', '30s', '1m', '5m'], isOnCanvas: true, withText: true }),
    ],
    body: new SceneFlexLayout({
      direction: 'column',
      children: [
        new SceneFlexItem({ body: new StatusBanner() }),
        new SceneFlexItem({ body: new StoreSummary() }),
        new SceneFlexItem({ body: grid(OVERVIEW_CARDS, 220, 130) }),
        new SceneFlexItem({ body: grid(OVERVIEW_CHARTS, 480, 300) }),
      ],
    }),
  });
}

export function overviewPage(): SceneAppPage {
  return new SceneAppPage({
    title: 'Overview',
    subTitle: 'How Ollama is doing: request rate, latency, tokens and errors, plus the stored messages.',
    url: prefixRoute(ROUTES.Overview),
    routePath: ROUTES.Overview,
    getScene: overviewScene,
  });
}
