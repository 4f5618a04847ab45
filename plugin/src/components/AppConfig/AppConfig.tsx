import React, { useState, type ChangeEvent, type FormEvent } from 'react';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, Text, useStyles2 } from '@grafana/ui';
import { SidecarClient } from '../../api/client';
import { testSidecarConnection, type ConnectionResult } from '../../api/connectionTest';
import { DEFAULT_MESSAGES_DATASOURCE_UID, PLUGIN_ID } from '../../constants';
import { PROXY_ROUTE, type MessagesDataSourceOptions } from '../../datasource/types';
import { saveAppSettings, upsertMessagesDataSource, type AppJsonData } from './grafanaApi';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

type Notice = { severity: 'success' | 'error' | 'warning' | 'info'; title: string; text: string };

/** The app's own route to the sidecar (plugin.json `routes`), used by the connection test. */
const appSidecarClient = () => new SidecarClient(`/api/plugin-proxy/${PLUGIN_ID}/${PROXY_ROUTE}`);

/**
 * App configuration: where the sidecar is and its token (kept in the app's secureJsonData), a
 * connection test through Grafana's server, and a button that creates or updates the messages data
 * source the pages and dashboards read.
 */
export default function AppConfig({ plugin }: AppConfigProps) {
  const styles = useStyles2(getStyles);
  const meta = plugin.meta;
  const [url, setUrl] = useState(() => meta.jsonData?.url ?? dataSourceUrl() ?? '');
  const [token, setToken] = useState<string | undefined>(undefined);
  const [tokenConfigured, setTokenConfigured] = useState(Boolean(meta.secureJsonFields?.token));
  const [busy, setBusy] = useState<'save' | 'datasource' | undefined>();
  const [connection, setConnection] = useState<ConnectionResult | undefined>();
  const [notice, setNotice] = useState<Notice | undefined>();

  const urlProblem = validateUrl(url);

  const onSaveAndTest = async (event?: FormEvent) => {
    event?.preventDefault();
    if (urlProblem) {
      return;
    }
    setBusy('save');
    setNotice(undefined);
    setConnection(undefined);
    try {
      await saveAppSettings({ url, token }, Boolean(meta.pinned), meta.jsonData ?? {});
      if (token !== undefined) {
        setTokenConfigured(token !== '');
      }
      setConnection(await testSidecarConnection(appSidecarClient(), url));
    } catch (err) {
      setNotice({
        severity: 'error',
        title: 'Settings not saved',
        text: err instanceof Error ? err.message : String(err),
      });
    } finally {
      setBusy(undefined);
    }
  };

  const onDataSource = async () => {
    if (urlProblem) {
      return;
    }
    setBusy('datasource');
    setNotice(undefined);
    try {
      const outcome = await upsertMessagesDataSource(url, token);
      if (outcome.kind === 'refused') {
        setNotice({ severity: 'error', title: 'Data source not saved', text: outcome.message });
        return;
      }
      await getDataSourceSrv().reload();
      const ds = outcome.datasource;
      const missingToken = tokenConfigured && token === undefined && outcome.kind === 'created';
      const check = await testSidecarConnection(
        new SidecarClient(`/api/datasources/proxy/uid/${ds.uid}/${PROXY_ROUTE}`),
        url
      );
      setNotice({
        severity: check.ok ? 'success' : 'warning',
        title: `Data source "${ds.name}" ${outcome.kind}`,
        text: missingToken
          ? `${check.message} The token was not copied: Grafana never gives stored secrets back to the browser. Enter the token above and press the button again.`
          : check.message,
      });
    } catch (err) {
      setNotice({
        severity: 'error',
        title: 'Data source not saved',
        text: err instanceof Error ? err.message : String(err),
      });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <form onSubmit={onSaveAndTest} className={styles.form}>
      <FieldSet label="Ollama Lens sidecar">
        <Text element="p" color="secondary">
          The Grafana server calls the sidecar&apos;s analytics API for the Explorer; the token stays on the server.
        </Text>
        <Field
          label="Sidecar URL"
          description="How the Grafana server reaches the sidecar (or its admin port), e.g. http://ollama-lens:11435"
          invalid={Boolean(url) && Boolean(urlProblem)}
          error={urlProblem}
        >
          <Input
            id="sidecar-url"
            aria-label="Sidecar URL"
            width={60}
            value={url}
            placeholder="http://localhost:11435"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setUrl(e.target.value.trim())}
          />
        </Field>
        <Field label="Token" description="The sidecar's OLLAMA_LENS_ADMIN_TOKEN; leave empty if it has none.">
          <SecretInput
            id="sidecar-token"
            aria-label="Token"
            width={60}
            value={token ?? ''}
            isConfigured={tokenConfigured && token === undefined}
            placeholder="admin token"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setToken(e.target.value.trim())}
            onReset={() => {
              setToken('');
              setTokenConfigured(false);
            }}
          />
        </Field>
        <Stack direction="row" gap={1}>
          <Button
            type="submit"
            icon={busy === 'save' ? 'spinner' : 'check'}
            disabled={Boolean(urlProblem) || busy !== undefined}
          >
            Save and test connection
          </Button>
          <Button
            type="button"
            variant="secondary"
            icon={busy === 'datasource' ? 'spinner' : 'database'}
            disabled={Boolean(urlProblem) || busy !== undefined}
            onClick={onDataSource}
          >
            Create or update the messages data source
          </Button>
        </Stack>
      </FieldSet>
      {connection && (
        <Alert
          severity={connection.ok ? 'success' : 'error'}
          title={connection.ok ? 'Connection works' : 'Connection failed'}
        >
          {connection.message}
        </Alert>
      )}
      {notice && (
        <Alert severity={notice.severity} title={notice.title}>
          {notice.text}
        </Alert>
      )}
    </form>
  );
}

/** The messages data source's sidecar URL (e.g. provisioned), as a starting value for the app's own setting. */
function dataSourceUrl(): string | undefined {
  const jsonData: MessagesDataSourceOptions | undefined = getDataSourceSrv().getInstanceSettings(
    DEFAULT_MESSAGES_DATASOURCE_UID
  )?.jsonData;
  return jsonData?.url || undefined;
}

/** A message when `url` is not an absolute http(s) URL; undefined when fine. */
export function validateUrl(url: string): string | undefined {
  if (!url) {
    return 'Enter the sidecar URL';
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return `Only http and https URLs work, not ${parsed.protocol}`;
    }
    if (parsed.search || parsed.hash) {
      return 'Leave out the query string and fragment';
    }
    return undefined;
  } catch {
    return 'Not a URL: write it as http://host:port';
  }
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    maxWidth: 900,
    marginTop: theme.spacing(2),
  }),
});
