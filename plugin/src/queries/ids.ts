/**
 * Identifiers shared by the app, the provisioning files and the docs. Changing one breaks links that
 * users have saved (dashboard uid, panel ids) or provisioning that references it (datasource uids).
 */

import { EXPLORER_MESSAGE_PATH, EXPLORER_PATH, OVERVIEW_DASHBOARD_UID } from '@ollama-lens/contracts';
import type { PanelLink } from './types';

// The plugin's ids and app routes are the contract's; re-exported for the query catalogue's users.
export {
  APP_ID,
  EXPLORER_PATH,
  MESSAGES_DATASOURCE_TYPE,
  MESSAGES_DATASOURCE_UID,
  OVERVIEW_DASHBOARD_UID,
  PROMETHEUS_DATASOURCE_UID,
} from '@ollama-lens/contracts';
export const OVERVIEW_DASHBOARD_TITLE = 'Ollama Lens — Overview';
/** Prometheus job that scrapes the sidecar. */
export const SCRAPE_JOB = 'ollama-lens';
/** Label put on every alert so the alert list and notification policy can select ours. */
export const ALERT_LABEL = { name: 'service', value: 'ollama-lens' } as const;
/** Grafana folder of the provisioned rules. */
export const ALERT_FOLDER = 'Ollama Lens';
export const ALERT_GROUP = 'ollama-lens';

/** Explorer page of one message; exemplars (label `request_id`) link here. */
export function explorerMessagePath(id: string): string {
  return `${EXPLORER_MESSAGE_PATH}/${encodeURIComponent(id)}`;
}
/** The exemplar label that carries the request id. */
export const EXEMPLAR_LABEL = 'request_id';
/** Link template for Grafana data links (`${__value.raw}` is the exemplar's request id). */
export const EXEMPLAR_LINK_TEMPLATE = `${EXPLORER_MESSAGE_PATH}/\${__value.raw}`;

/**
 * From a series with a `model` label into the Explorer: that model's messages over the dashboard's
 * time range. The label holds the canonical model name (`tiny:latest`), the same name the store keeps
 * and the Explorer's filter matches (which also accepts the name as requested, `tiny`). A series of
 * `other` (beyond the label's cap) or `unknown` (no model) has no messages of that name.
 */
export const EXPLORER_MODEL_LINK: PanelLink = {
  title: 'Messages of ${__field.labels.model}',
  url: `${EXPLORER_PATH}?model=\${__field.labels.model:percentencode}&\${__url_time_range}`,
};

/** Path of one panel of the overview dashboard, viewed alone. */
export function overviewPanelPath(panelId: number): string {
  return `/d/${OVERVIEW_DASHBOARD_UID}?viewPanel=${panelId}`;
}
