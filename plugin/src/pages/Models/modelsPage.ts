import {
  EmbeddedScene,
  SceneAppPage,
  SceneControlsSpacer,
  SceneFlexItem,
  SceneFlexLayout,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  VariableValueSelectors,
} from '@grafana/scenes';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { messagesDataSourceVariable } from '../Explorer/dataSourceVariable';
import { ModelsView } from './ModelsView';

export function modelsScene(): EmbeddedScene {
  return new EmbeddedScene({
    // The time range is the usage table's; installed and loaded are always "now".
    $timeRange: new SceneTimeRange({ from: 'now-24h', to: 'now' }),
    $variables: new SceneVariableSet({ variables: [messagesDataSourceVariable()] }),
    controls: [
      new VariableValueSelectors({}),
      new SceneControlsSpacer(),
      new SceneTimePicker({ isOnCanvas: true }),
      // withText: the run button needs a visible name (an icon alone has none for screen readers).
      new SceneRefreshPicker({ intervals: ['10s', '30s', '1m', '5m'], isOnCanvas: true, withText: true }),
    ],
    body: new SceneFlexLayout({ direction: 'column', children: [new SceneFlexItem({ body: new ModelsView() })] }),
  });
}

export function modelsPage(): SceneAppPage {
  return new SceneAppPage({
    title: 'Models',
    subTitle: 'What Ollama has installed and in memory, and how each model performed in the time range.',
    url: prefixRoute(ROUTES.Models),
    routePath: ROUTES.Models,
    getScene: modelsScene,
  });
}
