import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppPlugin } from '@grafana/data';
import { DEFAULT_MESSAGES_DATASOURCE_UID, MESSAGES_DATASOURCE_TYPE } from '../../constants';
import { appMeta, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import AppConfig, { validateUrl } from './AppConfig';
import type { AppJsonData } from './grafanaApi';

function renderConfig(jsonData: AppJsonData = {}, tokenConfigured = false) {
  const plugin = new AppPlugin<AppJsonData>();
  plugin.meta = appMeta(jsonData, tokenConfigured ? { token: true } : {});
  return render(<AppConfig plugin={plugin} query={{}} />);
}

async function fill(url: string, token?: string) {
  const urlInput = screen.getByLabelText('Sidecar URL');
  fireEvent.change(urlInput, { target: { value: url } });
  if (token !== undefined) {
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: token } });
  }
}

describe('App configuration page', () => {
  describe('without a messages data source yet', () => {
    let grafana: TestGrafana;
    beforeEach(async () => {
      grafana = await startTestGrafana({ dataSource: null });
    });
    afterEach(() => grafana.stop());

    it('saves the URL and token in the app settings and tests the connection through Grafana', async () => {
      // Keys written by provisioning stay.
      renderConfig({ messagesDatasourceUid: 'ollamalens-messages' });
      await fill(grafana.sidecar.url, grafana.sidecar.token);
      await userEvent.click(screen.getByText('Save and test connection'));
      expect(await screen.findByText('Connection works')).toBeInTheDocument();
      expect(
        screen.getByText(
          `Connected to the sidecar at ${grafana.sidecar.url}: ${grafana.sidecar.seed.total} messages stored.`
        )
      ).toBeInTheDocument();
      expect(grafana.emulator.app.jsonData).toEqual({
        messagesDatasourceUid: 'ollamalens-messages',
        url: grafana.sidecar.url,
      });
      expect(grafana.emulator.app.secureJsonData).toEqual({ token: grafana.sidecar.token });
      expect(grafana.emulator.app.enabled).toBe(true);
    });

    it('says when the token is wrong and when nothing answers', async () => {
      renderConfig();
      await fill(grafana.sidecar.url, 'not-the-token');
      await userEvent.click(screen.getByText('Save and test connection'));
      expect(await screen.findByText('Connection failed')).toBeInTheDocument();
      expect(screen.getByText(/is reachable but rejected the token \(401\)/)).toBeInTheDocument();

      await fill('http://127.0.0.1:9');
      await userEvent.click(screen.getByText('Save and test connection'));
      expect(await screen.findByText(/^Cannot reach the sidecar at http:\/\/127\.0\.0\.1:9/)).toBeInTheDocument();
    });

    it('creates the messages data source with the URL and token', async () => {
      renderConfig();
      await fill(grafana.sidecar.url, grafana.sidecar.token);
      await userEvent.click(screen.getByText('Create or update the messages data source'));
      expect(await screen.findByText('Data source "Ollama Lens messages" created')).toBeInTheDocument();
      expect(screen.getByText(/Connected to the sidecar at .*messages stored\./)).toBeInTheDocument();
      const ds = grafana.emulator.datasources.get(DEFAULT_MESSAGES_DATASOURCE_UID);
      expect(ds).toMatchObject({
        type: MESSAGES_DATASOURCE_TYPE,
        access: 'proxy',
        jsonData: { url: grafana.sidecar.url },
        secureJsonData: { token: grafana.sidecar.token },
      });
      // The pages find it without a reload.
      expect(grafana.dataSources.getList({ pluginId: MESSAGES_DATASOURCE_TYPE }).map((s) => s.uid)).toEqual([
        DEFAULT_MESSAGES_DATASOURCE_UID,
      ]);
    });

    it('explains that a stored token cannot be copied into a new data source', async () => {
      renderConfig({ url: grafana.sidecar.url }, true);
      await userEvent.click(screen.getByText('Create or update the messages data source'));
      expect(
        await screen.findByText(/The token was not copied: Grafana never gives stored secrets back to the browser/)
      ).toBeInTheDocument();
      expect(grafana.emulator.datasources.get(DEFAULT_MESSAGES_DATASOURCE_UID)?.secureJsonData).toEqual({});
    });
  });

  describe('with an existing messages data source', () => {
    let grafana: TestGrafana;
    afterEach(() => grafana.stop());

    it('starts from the data source’s URL when the app has none of its own yet', async () => {
      grafana = await startTestGrafana();
      renderConfig();
      expect(screen.getByLabelText('Sidecar URL')).toHaveValue(grafana.sidecar.url);
    });

    it('points it at the new URL and keeps its stored token', async () => {
      grafana = await startTestGrafana({ dataSource: { url: 'http://127.0.0.1:9' } });
      renderConfig({ url: 'http://127.0.0.1:9' }, true);
      await fill(grafana.sidecar.url);
      await userEvent.click(screen.getByText('Create or update the messages data source'));
      expect(await screen.findByText('Data source "Ollama Lens messages" updated')).toBeInTheDocument();
      const ds = grafana.emulator.datasources.get(DEFAULT_MESSAGES_DATASOURCE_UID);
      expect(ds?.jsonData).toEqual({ url: grafana.sidecar.url });
      expect(ds?.secureJsonData).toEqual({ token: grafana.sidecar.token });
      expect(screen.getByText(/Connected to the sidecar/)).toBeInTheDocument();
    });

    it('refuses to change a provisioned (read-only) data source and says where to change it', async () => {
      grafana = await startTestGrafana({ dataSource: null });
      grafana.emulator.addDataSource({
        uid: DEFAULT_MESSAGES_DATASOURCE_UID,
        name: 'Provisioned messages',
        type: MESSAGES_DATASOURCE_TYPE,
        jsonData: { url: 'http://ollama-lens:11435' },
        secureJsonData: {},
        readOnly: true,
      });
      renderConfig();
      await fill(grafana.sidecar.url);
      await userEvent.click(screen.getByText('Create or update the messages data source'));
      expect(await screen.findByText('Data source not saved')).toBeInTheDocument();
      expect(screen.getByText(/is provisioned from a file/)).toBeInTheDocument();
      expect(grafana.emulator.datasources.get(DEFAULT_MESSAGES_DATASOURCE_UID)?.jsonData).toEqual({
        url: 'http://ollama-lens:11435',
      });
    });
  });

  it('validates the URL before anything is sent', () => {
    expect(validateUrl('')).toBe('Enter the sidecar URL');
    expect(validateUrl('ollama-lens:11435')).toMatch(/^Only http and https URLs work/);
    expect(validateUrl('not a url')).toBe('Not a URL: write it as http://host:port');
    expect(validateUrl('http://sidecar:11435/?x=1')).toBe('Leave out the query string and fragment');
    expect(validateUrl('https://sidecar.example:8443/base')).toBeUndefined();
  });
});
