import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput, Text } from '@grafana/ui';
import type { MessagesDataSourceOptions, MessagesSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<MessagesDataSourceOptions, MessagesSecureJsonData>;

/** Sidecar URL (jsonData) and token (secureJsonData: write-only, Grafana never sends it back to the browser). */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, url: event.target.value.trim() } });
  };
  const onTokenChange = (event: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, token: event.target.value } });
  };
  const onTokenReset = () => {
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, token: false },
      secureJsonData: { ...secureJsonData, token: '' },
    });
  };

  return (
    <FieldSet label="Ollama Lens sidecar">
      <Text element="p" color="secondary">
        Grafana&apos;s server calls the sidecar&apos;s analytics API; the token stays on the server and never reaches
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
          onReset={onTokenReset}
          onChange={onTokenChange}
        />
      </Field>
    </FieldSet>
  );
}
