/**
 * The built bundle as Grafana loads it: dist/module.js and dist/datasource/module.js are AMD modules whose
 * dependencies (Grafana's externals) are resolved to the real packages, with the app's lazy chunks
 * registered first (as the browser would fetch them). The jest globalSetup rebuilds dist/ when sources
 * are newer, so this always tests the current code.
 */
import React from 'react';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, screen, waitFor } from '@testing-library/react';
import {
  AppPlugin,
  DataSourcePlugin,
  PluginType,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourceSettings,
} from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { Route, Routes } from 'react-router-dom';
import type { MessagesDataSourceOptions } from './datasource/types';
import { LocationRouter, startTestGrafana, type TestGrafana } from './testing/testGrafana';

const DIST = join(__dirname, '..', 'dist');

/** Grafana's SystemJS maps these names to its own copies; here, to the packages the plugin builds against. */
const EXTERNALS: Record<string, () => unknown> = {
  '@emotion/css': () => require('@emotion/css'),
  '@emotion/react': () => require('@emotion/react'),
  '@grafana/data': () => require('@grafana/data'),
  '@grafana/runtime': () => require('@grafana/runtime'),
  '@grafana/ui': () => require('@grafana/ui'),
  i18next: () => require('i18next'),
  lodash: () => require('lodash'),
  react: () => require('react'),
  'react-dom': () => require('react-dom'),
  'react-router': () => require('react-router'),
  'react/jsx-runtime': () => require('react/jsx-runtime'),
  rxjs: () => require('rxjs'),
};

interface LoadedModule {
  deps: string[];
  exports: Record<string, unknown>;
}

async function loadAmd(relative: string): Promise<LoadedModule> {
  const code = readFileSync(join(DIST, relative), 'utf8');
  let result: { deps: string[]; value: unknown } | undefined;
  const define = (deps: string[], factory: (...args: unknown[]) => unknown) => {
    const args = deps.map((name) => {
      if (name === 'module') {
        return { uri: `public/plugins/ollamalens-explorer-app/${relative}` };
      }
      const resolve = EXTERNALS[name];
      if (!resolve) {
        throw new Error(`${relative} needs "${name}", which Grafana does not provide as an external`);
      }
      return resolve();
    });
    result = { deps, value: factory(...args) };
  };
  new Function('define', code)(define);
  if (!result) {
    throw new Error(`${relative} did not call define()`);
  }
  // The app's module has a top-level await (translations), so its exports arrive as a promise.
  return { deps: result.deps, exports: (await result.value) as Record<string, unknown> };
}

/** Registers every lazy chunk of the app bundle, as if the browser had fetched them. */
function registerChunks() {
  for (const file of readdirSync(DIST).filter((f) => /^\d+\.js$/.test(f))) {
    new Function(readFileSync(join(DIST, file), 'utf8'))();
  }
}

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
});
afterAll(() => grafana.stop());

describe('built bundle', () => {
  it('dist/module.js exports an AppPlugin with its root page and configuration page, and the root page works', async () => {
    registerChunks();
    const { deps, exports } = await loadAmd('module.js');
    expect(deps).toEqual(
      expect.arrayContaining(['@grafana/data', '@grafana/runtime', '@grafana/ui', 'react', 'module'])
    );
    expect(deps).not.toContain('@grafana/scenes'); // bundled, not provided by Grafana
    const plugin = exports.plugin;
    expect(plugin).toBeInstanceOf(AppPlugin);
    const app = plugin as AppPlugin;
    expect(app.root).toBeDefined();
    expect(app.configPages).toHaveLength(1);
    expect(app.configPages![0]).toMatchObject({ title: 'Configuration', id: 'configuration' });

    const Root = app.root!;
    locationService.push('/a/ollamalens-explorer-app/explorer?user=alice');
    render(
      <LocationRouter>
        <Routes>
          <Route
            path="/a/ollamalens-explorer-app/*"
            element={
              <Root
                meta={app.meta}
                basename="/a/ollamalens-explorer-app"
                onNavChanged={() => {}}
                query={{}}
                path="/a/ollamalens-explorer-app"
              />
            }
          />
        </Routes>
      </LocationRouter>
    );
    await waitFor(() => expect(screen.getAllByTestId('message-row')).toHaveLength(2), { timeout: 15000 });
  });

  it('dist/datasource/module.js exports a DataSourcePlugin whose data source reaches the real sidecar', async () => {
    const { exports } = await loadAmd('datasource/module.js');
    const plugin = exports.plugin;
    expect(plugin).toBeInstanceOf(DataSourcePlugin);
    const ds = plugin as DataSourcePlugin<DataSourceApi>;
    expect(ds.components.ConfigEditor).toBeDefined();
    expect(ds.components.QueryEditor).toBeDefined();

    const settings: DataSourceInstanceSettings<MessagesDataSourceOptions> = {
      id: 1,
      uid: 'ollamalens-messages',
      name: 'Ollama Lens messages',
      type: 'ollamalens-messages-datasource',
      access: 'proxy',
      readOnly: false,
      url: '/api/datasources/proxy/uid/ollamalens-messages',
      jsonData: { url: grafana.sidecar.url },
      meta: {
        id: 'ollamalens-messages-datasource',
        name: 'Ollama Lens messages',
        type: PluginType.datasource,
      } as DataSourceInstanceSettings['meta'],
    };
    const instance = new ds.DataSourceClass(settings);
    await expect(instance.testDatasource()).resolves.toMatchObject({ status: 'success' });

    const ConfigEditor = ds.components.ConfigEditor!;
    const options: DataSourceSettings<MessagesDataSourceOptions> = {
      id: 1,
      uid: settings.uid,
      orgId: 1,
      name: settings.name,
      type: settings.type,
      typeName: settings.name,
      typeLogoUrl: '',
      access: 'proxy',
      url: '',
      user: '',
      database: '',
      basicAuth: false,
      basicAuthUser: '',
      isDefault: false,
      withCredentials: false,
      readOnly: false,
      jsonData: { url: 'http://sidecar:11435' },
      secureJsonFields: { token: true },
      version: 1,
    };
    render(<ConfigEditor options={options} onOptionsChange={() => {}} />);
    expect(screen.getByLabelText('Sidecar URL')).toHaveValue('http://sidecar:11435');
    expect(screen.getByText('Reset')).toBeInTheDocument();
  });
});
