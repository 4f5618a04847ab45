import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput, Text } from '@grafana/ui';
import type { MessagesDataSourceOptions, MessagesSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<MessagesDataSourceOptions, MessagesSecureJsonData>;
type SecretKey = keyof MessagesSecureJsonData;

/**
 * Sidecar URL (jsonData) and the two tokens (secureJsonData: write-only, Grafana never sends them back to the
 * browser). Only Grafana Admins can edit a data source, so only they can set the actions token.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, url: event.target.value.trim() } });
  };
  const onSecretChange = (key: SecretKey) => (event: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [key]: event.target.value } });
  };
  const onSecretReset = (key: SecretKey) => () => {
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, [key]: false },
      secureJsonData: { ...secureJsonData, [key]: '' },
    });
  };

  return (
    <FieldSet label="Ollama Lens sidecar">
      <Text element="p" color="secondary">
        Grafana&apos;s server calls the sidecar&apos;s analytics API; the tokens stay on the server and never reach
        browsers.
      </Text>
      <Field
        label="Sidecar URL"
        description="How the Grafana server reaches the sidecar, e.g. http://ollama-lens:11435 (the admin port if you set OLLAMA_LENS_ADMIN_PORT)."
        required
      >
        <Input
          id="config-editor-url"
          aria-label="Sidecar URL"
          value={jsonData.url ?? ''}
          placeholder="http://localhost:11435"
          width={50}
          onChange={onUrlChange}
        />
      </Field>
      <Field
        label="Token"
        description="The sidecar's OLLAMA_LENS_ADMIN_TOKEN. Leave empty when the sidecar has none (loopback only)."
      >
        <SecretInput
          id="config-editor-token"
          aria-label="Token"
          isConfigured={Boolean(secureJsonFields?.token)}
          value={secureJsonData.token ?? ''}
          placeholder="admin token"
          width={50}
          onReset={onSecretReset('token')}
          onChange={onSecretChange('token')}
        />
      </Field>
      <Field
        label="Actions token"
        description="The sidecar's OLLAMA_LENS_ACTIONS_TOKEN: lets Grafana org Admins load, unload, copy, delete and pull models from the Models page. Leave empty to keep the page read-only for everyone."
      >
        <SecretInput
          id="config-editor-actions-token"
          aria-label="Actions token"
          isConfigured={Boolean(secureJsonFields?.actionsToken)}
          value={secureJsonData.actionsToken ?? ''}
          placeholder="actions token"
          width={50}
          onReset={onSecretReset('actionsToken')}
          onChange={onSecretChange('actionsToken')}
        />
      </Field>
    </FieldSet>
  );
}
