import {
  EmbeddedScene,
  SceneAppPage,
  SceneControlsSpacer,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  VariableValueSelectors,
  type SceneAppPageLike,
  type SceneRouteMatch,
} from '@grafana/scenes';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { messagePage } from '../Message/messagePage';
import { messagesDataSourceVariable } from './dataSourceVariable';
import { ExplorerBody } from './ExplorerBody';

export function explorerScene(): EmbeddedScene {
  return new EmbeddedScene({
    $timeRange: new SceneTimeRange({ from: 'now-24h', to: 'now' }),
    $variables: new SceneVariableSet({ variables: [messagesDataSourceVariable()] }),
    controls: [
      new VariableValueSelectors({}),
      new SceneControlsSpacer(),
      new SceneTimePicker({ isOnCanvas: true }),
      // withText: the run button needs a visible name (an icon alone has none for screen readers).
      new SceneRefreshPicker({ intervals: ['10s', '30s', '1m', '5m'], isOnCanvas: true, withText: true }),
    ],
    body: new ExplorerBody(),
  });
}

export function explorerPage(): SceneAppPage {
  return new SceneAppPage({
    title: 'Explorer',
    subTitle: 'Search, filter and open every message that went through the sidecar.',
    url: prefixRoute(ROUTES.Explorer),
    routePath: `${ROUTES.Explorer}/*`,
    getScene: explorerScene,
    drilldowns: [
      {
        routePath: 'message/:id/*',
        getPage: (match: SceneRouteMatch<{ id: string }>, parent: SceneAppPageLike) =>
          messagePage(match.params.id, parent),
      },
    ],
  });
}
