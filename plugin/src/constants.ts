/**
 * The app's ids and routes. The ids and the page routes are the contract's (@ollama-lens/contracts),
 * shared with the generated dashboards, the provisioning files and the sidecar's docs; plugin.json
 * files repeat them and pluginJson.test.ts checks that they agree.
 */
import {
  ACTIONS_PROXY_ROUTE,
  APP_BASE_URL,
  APP_ID,
  APP_ROUTES,
  MESSAGES_DATASOURCE_TYPE,
  MESSAGES_DATASOURCE_UID,
  OVERVIEW_DASHBOARD_UID,
  PROMETHEUS_DATASOURCE_UID,
} from '@ollama-lens/contracts';
import { EXEMPLAR_LINK_TEMPLATE, explorerMessagePath } from './queries/ids';

export const PLUGIN_ID = APP_ID;
export const PLUGIN_BASE_URL = APP_BASE_URL;
export { ACTIONS_PROXY_ROUTE, MESSAGES_DATASOURCE_TYPE, OVERVIEW_DASHBOARD_UID, PROMETHEUS_DATASOURCE_UID };
/** The uid provisioning gives the messages data source; the app prefers it when several exist. */
export const DEFAULT_MESSAGES_DATASOURCE_UID = MESSAGES_DATASOURCE_UID;
export const DEFAULT_MESSAGES_DATASOURCE_NAME = 'Ollama Lens messages';

/** The app's pages (routes below PLUGIN_BASE_URL). */
export const ROUTES = {
  Overview: APP_ROUTES.overview,
  Explorer: APP_ROUTES.explorer,
  Models: APP_ROUTES.models,
  Playground: APP_ROUTES.playground,
} as const;

/** Data link to a message's detail page; `${__value.raw}` is the id field's value. */
export const MESSAGE_URL_TEMPLATE = EXEMPLAR_LINK_TEMPLATE;

/** App URL of a message's detail page. */
export const messageUrl = explorerMessagePath;
