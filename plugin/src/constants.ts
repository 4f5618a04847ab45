/**
 * Ids shared with provisioning and the docs. The shared ones come from the query catalogue (queries/ids.ts),
 * so the app, the generated dashboards and the provisioning files cannot disagree.
 */
import {
  APP_ID,
  EXEMPLAR_LINK_TEMPLATE,
  EXPLORER_PATH,
  MESSAGES_DATASOURCE_TYPE,
  MESSAGES_DATASOURCE_UID,
  OVERVIEW_DASHBOARD_UID,
  PROMETHEUS_DATASOURCE_UID,
} from './queries/ids';

export const PLUGIN_ID = APP_ID;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;
export { MESSAGES_DATASOURCE_TYPE, OVERVIEW_DASHBOARD_UID, PROMETHEUS_DATASOURCE_UID };
/** The uid provisioning gives the messages data source; the app prefers it when several exist. */
export const DEFAULT_MESSAGES_DATASOURCE_UID = MESSAGES_DATASOURCE_UID;
export const DEFAULT_MESSAGES_DATASOURCE_NAME = 'Ollama Lens messages';

export enum ROUTES {
  Overview = 'overview',
  Explorer = 'explorer',
}

/** Data link to a message's detail page; `${__value.raw}` is the id field's value. */
export const MESSAGE_URL_TEMPLATE = EXEMPLAR_LINK_TEMPLATE;

export function messageUrl(id: string): string {
  return `${EXPLORER_PATH}/message/${encodeURIComponent(id)}`;
}
