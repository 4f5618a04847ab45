/**
 * Test wiring for the pages: Grafana's runtime services (`setBackendSrv`, `setDataSourceSrv`,
 * `locationService`) pointed at the GrafanaEmulator, which proxies to the real
 * sidecar of the jest globalSetup. Rendering goes through a router bound to locationService, as in
 * Grafana, so URL changes made by Scenes are what the test reads back.
 */
import React, { useLayoutEffect, useState } from 'react';
import { Route, Router, Routes } from 'react-router-dom';
import { render, type RenderResult } from '@testing-library/react';
import { PluginType, type AppPluginMeta, type AppRootProps, type KeyValue } from '@grafana/data';
import {
  LocationServiceProvider,
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  setPluginImportUtils,
  setRunRequest,
  setTemplateSrv,
} from '@grafana/runtime';
import App from '../components/App/App';
import {
  DEFAULT_MESSAGES_DATASOURCE_UID,
  MESSAGES_DATASOURCE_TYPE,
  PLUGIN_BASE_URL,
  PLUGIN_ID,
  PROMETHEUS_DATASOURCE_UID,
} from '../constants';
import { EmulatorDataSourceSrv } from './dataSourceSrv';
import { runRequest, SceneTemplateSrv } from './grafanaRuntime';
import { GrafanaEmulator } from './grafanaEmulator';
import { NodeBackendSrv } from './nodeBackendSrv';
import { nodeStreamFetch } from './nodeStreamFetch';
import { setStreamFetch } from '../api/stream';
import { testSidecar, type TestSidecar } from './sidecarEnv';

export interface TestGrafana {
  emulator: GrafanaEmulator;
  backend: NodeBackendSrv;
  dataSources: EmulatorDataSourceSrv;
  sidecar: TestSidecar;
  stop(): Promise<void>;
}

export interface TestGrafanaOptions {
  /** Messages data source settings; default: the real sidecar with its real token. */
  dataSource?: { url?: string; token?: string; actionsToken?: string } | null;
}

let panelPluginsRegistered = false;

/**
 * Grafana's panel plugins (time series, stat) are part of Grafana's own bundle, not of any package, so
 * they cannot load here: VizPanels show Grafana's "plugin not found" state and the tests assert on the
 * plugin's own components instead.
 */
function registerPanelPluginLoader() {
  if (panelPluginsRegistered) {
    return;
  }
  panelPluginsRegistered = true;
  setPluginImportUtils({
    importPanelPlugin: (id: string) =>
      Promise.reject(new Error(`the ${id} panel is part of Grafana and is not available in these tests`)),
    getPanelPluginFromCache: () => undefined,
  });
}

export async function startTestGrafana(options: TestGrafanaOptions = {}): Promise<TestGrafana> {
  const sidecar = testSidecar();
  const emulator = new GrafanaEmulator();
  if (options.dataSource !== null) {
    emulator.addDataSource({
      uid: DEFAULT_MESSAGES_DATASOURCE_UID,
      name: 'Ollama Lens messages',
      type: MESSAGES_DATASOURCE_TYPE,
      jsonData: { url: options.dataSource?.url ?? sidecar.url },
      secureJsonData: {
        token: options.dataSource?.token ?? sidecar.token,
        ...(options.dataSource?.actionsToken ? { actionsToken: options.dataSource.actionsToken } : {}),
      },
    });
  }
  emulator.addDataSource({
    uid: PROMETHEUS_DATASOURCE_UID,
    name: 'Prometheus',
    type: 'prometheus',
    jsonData: {},
    secureJsonData: {},
  });
  const base = await emulator.start();
  const backend = new NodeBackendSrv(base);
  setBackendSrv(backend);
  // Streams (playground, pull) use the browser's fetch, which jsdom lacks.
  setStreamFetch(nodeStreamFetch(base));
  const dataSources = new EmulatorDataSourceSrv(backend);
  await dataSources.reload();
  setDataSourceSrv(dataSources);
  // What Grafana's core gives scenes: variable interpolation and running a data source's queries
  // (annotation layers run through it).
  setTemplateSrv(new SceneTemplateSrv());
  setRunRequest(runRequest);
  registerPanelPluginLoader();
  return { emulator, backend, dataSources, sidecar, stop: () => emulator.stop() };
}

/** A router that follows locationService's history, like Grafana's own. */
export function LocationRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen(setLocation), [history]);
  return (
    <LocationServiceProvider service={locationService}>
      <Router navigator={history} location={location}>
        {children}
      </Router>
    </LocationServiceProvider>
  );
}

export function appMeta<T extends KeyValue>(
  jsonData: T,
  secureJsonFields: Record<string, boolean> = {}
): AppPluginMeta<T> {
  return {
    id: PLUGIN_ID,
    name: 'Ollama Lens',
    type: PluginType.app,
    module: `public/plugins/${PLUGIN_ID}/module.js`,
    baseUrl: `public/plugins/${PLUGIN_ID}`,
    enabled: true,
    pinned: true,
    jsonData,
    secureJsonFields,
    info: {
      author: { name: 'Ollama Lens' },
      description: '',
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '',
    },
  };
}

/** Renders the app root at `path` (e.g. `/a/ollamalens-explorer-app/explorer?model=tiny`). */
export function renderAppAt(path: string): RenderResult {
  locationService.push(path);
  const props: AppRootProps = {
    meta: appMeta({}),
    basename: PLUGIN_BASE_URL,
    onNavChanged: () => {},
    query: {},
    path: PLUGIN_BASE_URL,
  };
  return render(
    <LocationRouter>
      <Routes>
        <Route path={`${PLUGIN_BASE_URL}/*`} element={<App {...props} />} />
      </Routes>
    </LocationRouter>
  );
}

/** The current URL's query as URLSearchParams (what a person would copy and share). */
export function currentSearch(): URLSearchParams {
  return new URLSearchParams(locationService.getLocation().search);
}
