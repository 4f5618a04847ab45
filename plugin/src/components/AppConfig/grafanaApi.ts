import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { bodyMessage } from '../../api/errors';
import {
  DEFAULT_MESSAGES_DATASOURCE_NAME,
  DEFAULT_MESSAGES_DATASOURCE_UID,
  MESSAGES_DATASOURCE_TYPE,
  PLUGIN_ID,
} from '../../constants';

/** The app's own settings: the sidecar URL in jsonData, the token in secureJsonData (write-only). */
export interface AppJsonData {
  url?: string;
  [key: string]: unknown;
}

export interface AppSettingsUpdate {
  url: string;
  /** Set only when the user typed a new token (or reset it to ''); undefined keeps the stored one. */
  token?: string;
}

/** Grafana's data source record as /api/datasources returns it (the fields this page uses). */
export interface DataSourceRecord {
  id: number;
  uid: string;
  name: string;
  type: string;
  access: string;
  readOnly?: boolean;
  jsonData: Record<string, unknown>;
  secureJsonFields?: Record<string, boolean>;
}

export type DataSourceOutcome =
  | { kind: 'created'; datasource: DataSourceRecord }
  | { kind: 'updated'; datasource: DataSourceRecord }
  | { kind: 'refused'; message: string };

async function call<T>(method: string, url: string, data?: unknown): Promise<T> {
  const response = await lastValueFrom(
    getBackendSrv().fetch<T>({ method, url, data, showErrorAlert: false, showSuccessAlert: false })
  );
  return response.data;
}

function describe(err: unknown): string {
  if (isFetchError(err)) {
    return `${bodyMessage(err.data) ?? err.statusText ?? 'request failed'} (HTTP ${err.status})`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** `current` is the app's jsonData as loaded: other keys (e.g. set by provisioning) are kept. */
export async function saveAppSettings(
  update: AppSettingsUpdate,
  pinned: boolean,
  current: AppJsonData = {}
): Promise<void> {
  await call('POST', `/api/plugins/${PLUGIN_ID}/settings`, {
    enabled: true,
    pinned,
    jsonData: { ...current, url: update.url } satisfies AppJsonData,
    // Omitted when unchanged: Grafana keeps the stored secret and never sends it back.
    secureJsonData: update.token === undefined ? undefined : { token: update.token },
  });
}

export async function findDataSource(
  uid: string = DEFAULT_MESSAGES_DATASOURCE_UID
): Promise<DataSourceRecord | undefined> {
  try {
    return await call<DataSourceRecord>('GET', `/api/datasources/uid/${encodeURIComponent(uid)}`);
  } catch (err) {
    if (isFetchError(err) && err.status === 404) {
      return undefined;
    }
    throw new Error(`Could not look up the data source: ${describe(err)}`);
  }
}

/**
 * Creates the messages data source (uid `ollamalens-messages`) or points the existing one at `url`.
 * A token is copied only when one was typed: Grafana never returns stored secrets to the browser.
 */
export async function upsertMessagesDataSource(url: string, token: string | undefined): Promise<DataSourceOutcome> {
  const existing = await findDataSource();
  const secureJsonData = token === undefined ? undefined : { token };
  try {
    if (!existing) {
      const created = await call<{ datasource: DataSourceRecord }>('POST', '/api/datasources', {
        name: DEFAULT_MESSAGES_DATASOURCE_NAME,
        uid: DEFAULT_MESSAGES_DATASOURCE_UID,
        type: MESSAGES_DATASOURCE_TYPE,
        access: 'proxy',
        jsonData: { url },
        secureJsonData,
      });
      return { kind: 'created', datasource: created.datasource };
    }
    if (existing.readOnly) {
      return {
        kind: 'refused',
        message: `The data source "${existing.name}" is provisioned from a file, so Grafana does not let this page change it. Edit its provisioning file (url: ${url}).`,
      };
    }
    if (existing.type !== MESSAGES_DATASOURCE_TYPE) {
      return {
        kind: 'refused',
        message: `A data source with uid ${existing.uid} exists but is of type ${existing.type}; rename or remove it first.`,
      };
    }
    const updated = await call<{ datasource: DataSourceRecord }>(
      'PUT',
      `/api/datasources/uid/${encodeURIComponent(existing.uid)}`,
      {
        ...existing,
        access: 'proxy',
        jsonData: { ...existing.jsonData, url },
        secureJsonData,
      }
    );
    return { kind: 'updated', datasource: updated.datasource };
  } catch (err) {
    return { kind: 'refused', message: `Grafana refused to save the data source: ${describe(err)}` };
  }
}
