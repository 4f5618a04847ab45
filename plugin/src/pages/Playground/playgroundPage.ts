import {
  EmbeddedScene,
  SceneAppPage,
  SceneControlsSpacer,
  SceneFlexItem,
  SceneFlexLayout,
  SceneVariableSet,
  VariableValueSelectors,
} from '@grafana/scenes';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { messagesDataSourceVariable } from '../Explorer/dataSourceVariable';
import { PlaygroundView } from './PlaygroundView';

export function playgroundScene(): EmbeddedScene {
  return new EmbeddedScene({
    // No time range: a prompt is always "now"; its message shows up in the Explorer's range.
    $variables: new SceneVariableSet({ variables: [messagesDataSourceVariable()] }),
    controls: [new VariableValueSelectors({}), new SceneControlsSpacer()],
    body: new SceneFlexLayout({ direction: 'column', children: [new SceneFlexItem({ body: new PlaygroundView() })] }),
  });
}

export function playgroundPage(): SceneAppPage {
  return new SceneAppPage({
    title: 'Playground',
    subTitle: 'Try a prompt on any installed model, or two side by side; each exchange is stored like any request.',
    url: prefixRoute(ROUTES.Playground),
    routePath: ROUTES.Playground,
    getScene: playgroundScene,
  });
}
