/**
 * The Grafana plugin's identity: ids, the proxy route and the app's page routes. plugin.json files
 * cannot import these, so plugin/src/pluginJson.test.ts checks that they say the same; changing one
 * breaks links users have saved and the provisioning that references it.
 */

export const APP_ID = 'ollamalens-explorer-app';
/** The nested messages data source's plugin id (its `type` in provisioning). */
export const MESSAGES_DATASOURCE_TYPE = 'ollamalens-messages-datasource';
/** The uid provisioning gives the messages data source; the app prefers it when several exist. */
export const MESSAGES_DATASOURCE_UID = 'ollamalens-messages';
export const PROMETHEUS_DATASOURCE_UID = 'ollamalens-prometheus';
export const OVERVIEW_DASHBOARD_UID = 'ollamalens-overview';

/** The route (plugin.json `routes[].path`) through which Grafana's server reaches the sidecar with its token. */
export const PROXY_ROUTE = 'sidecar';
/**
 * The messages data source's route for the model actions and preferences: Grafana lets only org Admins
 * through it (`reqRole`) and adds the sidecar's actions token (ACTIONS_TOKEN_HEADER in models.ts) beside
 * the read token, so a Viewer's request never carries it.
 */
export const ACTIONS_PROXY_ROUTE = 'sidecar-actions';

/** The app's pages, below APP_BASE_URL (plugin.json `includes[].path` of type page). */
export const APP_ROUTES = {
  overview: 'overview',
  explorer: 'explorer',
  models: 'models',
  playground: 'playground',
} as const;
export type AppRoute = (typeof APP_ROUTES)[keyof typeof APP_ROUTES];

export const APP_BASE_URL = `/a/${APP_ID}`;
export const EXPLORER_PATH = `${APP_BASE_URL}/${APP_ROUTES.explorer}`;
/** The Explorer's page of one message (exemplars and data links open it). */
export const EXPLORER_MESSAGE_PATH = `${EXPLORER_PATH}/message`;
