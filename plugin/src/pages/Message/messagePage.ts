import {
  EmbeddedScene,
  SceneAppPage,
  SceneVariableSet,
  VariableValueSelectors,
  type SceneAppPageLike,
} from '@grafana/scenes';
import { messageUrl } from '../../constants';
import { messagesDataSourceVariable } from '../Explorer/dataSourceVariable';
import { MessageDetail } from './MessageDetail';

/** The drill-down page `/explorer/message/:id` (shareable: the id is in the path, the data source in var-ds). */
export function messagePage(id: string, parent: SceneAppPageLike): SceneAppPage {
  return new SceneAppPage({
    title: 'Message',
    subTitle: id,
    url: messageUrl(id),
    routePath: 'message/:id/*',
    getParentPage: () => parent,
    getScene: () =>
      new EmbeddedScene({
        $variables: new SceneVariableSet({ variables: [messagesDataSourceVariable()] }),
        controls: [new VariableValueSelectors({})],
        body: new MessageDetail({ id }),
      }),
  });
}
