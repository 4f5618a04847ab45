import type { DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import { SidecarClient } from '../api/client';
import { DEFAULT_MESSAGES_DATASOURCE_UID, MESSAGES_DATASOURCE_TYPE } from '../constants';
import { PROXY_ROUTE } from '../datasource/types';

/** Name of the data source variable on the Explorer and message pages (`var-ds` in the URL). */
export const DS_VARIABLE = 'ds';

export class MissingDataSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDataSourceError';
  }
}

export interface MessagesConnection {
  client: SidecarClient;
  settings: DataSourceInstanceSettings;
}

/**
 * The sidecar client of a messages data source: the one with `uid`, else the provisioned one, else the
 * first. Pages talk to the sidecar through that data source's proxy route, like its queries do; the app
 * bundle cannot share the data source's class (it is a separate bundle), only its proxy URL.
 */
export function messagesConnection(uid?: string): MessagesConnection {
  const list = getDataSourceSrv().getList({ pluginId: MESSAGES_DATASOURCE_TYPE });
  const settings =
    (uid ? list.find((s) => s.uid === uid) : undefined) ??
    list.find((s) => s.uid === DEFAULT_MESSAGES_DATASOURCE_UID) ??
    list[0];
  if (!settings) {
    throw new MissingDataSourceError(
      'No Ollama Lens messages data source exists yet. Open the app’s configuration page, enter the sidecar URL and create it.'
    );
  }
  if (!settings.url) {
    throw new MissingDataSourceError(
      `The data source "${settings.name}" has no proxy URL; set its access mode to server (proxy).`
    );
  }
  return { client: new SidecarClient(`${settings.url}/${PROXY_ROUTE}`), settings };
}

/** The connection selected by the scene's `ds` variable (or the default one). */
export function messagesConnectionFor(object: SceneObject): MessagesConnection {
  const variable = sceneGraph.lookupVariable(DS_VARIABLE, object);
  const value = variable?.getValue();
  return messagesConnection(typeof value === 'string' && value !== '' ? value : undefined);
}
