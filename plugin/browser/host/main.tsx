/**
 * The host page's entry: sets up the parts of Grafana's runtime the plugin uses, loads the built
 * plugin (dist/module.js and dist/datasource/module.js) as AMD modules the way Grafana does, and renders
 * the app root at /a/<app id>/… or the configuration page at /plugins/<app id>.
 * window.grafanaBootData is set by an inline script before this bundle (see stack/hostServer.ts).
 */
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import {
  AppPlugin,
  EventBusSrv,
  ThemeContext,
  type AppPluginMeta,
  type DataSourceApi,
  type DataSourceInstanceSettings,
} from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import {
  config,
  LocationServiceProvider,
  locationService,
  setAppEvents,
  setBackendSrv,
  setDataSourceSrv,
  setRunRequest,
  setTemplateSrv,
} from '@grafana/runtime';
// Not exported by @grafana/runtime 13.1.0; the module file is the same one its index re-exports.
import { setPluginPage } from '@grafana/runtime/dist/esm/components/PluginPage.mjs';
import * as grafanaUi from '@grafana/ui';
import { GlobalStyles } from '@grafana/ui';
import * as i18next from 'i18next';
import * as lodash from 'lodash';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as reactRouter from 'react-router';
import { Route, Router, Routes } from 'react-router';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';
import { installDefine, loadAmdModule } from './amd';
import { FetchBackendSrv } from './backendSrv';
import { HostDataSourceSrv } from './dataSourceSrv';
import { registerPanels } from './panels';
import { AppChrome, HostPluginPage } from './pluginPage';
import { runRequest, SceneTemplateSrv } from '../../src/testing/grafanaRuntime';

const APP_ID = 'ollamalens-explorer-app';
const DS_TYPE = 'ollamalens-messages-datasource';
const PLUGIN_URL = `/public/plugins/${APP_ID}`;

const EXTERNALS: Record<string, unknown> = {
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  i18next,
  lodash,
  react: React,
  'react-dom': ReactDOM,
  'react-router': reactRouter,
  'react/jsx-runtime': jsxRuntime,
  rxjs,
};

// window.__hostReady, __hostError and __hostNavigate are declared in ../lib/browser.ts (what the suite reads).

interface AppSettingsView {
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown>;
  secureJsonFields: Record<string, boolean>;
}

function appMeta(settings: AppSettingsView): AppPluginMeta {
  return {
    id: APP_ID,
    name: 'Ollama Lens',
    type: grafanaData.PluginType.app,
    module: `${PLUGIN_URL}/module.js`,
    baseUrl: PLUGIN_URL,
    enabled: settings.enabled,
    pinned: settings.pinned,
    jsonData: settings.jsonData,
    secureJsonFields: settings.secureJsonFields,
    info: {
      author: { name: 'Ollama Lens' },
      description: '',
      links: [],
      logos: { small: `${PLUGIN_URL}/img/logo.svg`, large: `${PLUGIN_URL}/img/logo.svg` },
      screenshots: [],
      updated: '',
      version: '0.1.0',
    },
  };
}

function LocationRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = React.useState(history.location);
  React.useLayoutEffect(() => history.listen(setLocation), [history]);
  return (
    <LocationServiceProvider service={locationService}>
      <Router navigator={history} location={location}>
        {children}
      </Router>
    </LocationServiceProvider>
  );
}

async function boot() {
  const backend = new FetchBackendSrv();
  setBackendSrv(backend);
  setAppEvents(new EventBusSrv());
  setTemplateSrv(new SceneTemplateSrv());
  setRunRequest(runRequest);
  setPluginPage(HostPluginPage);
  registerPanels();
  installDefine();

  const dsModule = await loadAmdModule(`${PLUGIN_URL}/datasource/module.js`, EXTERNALS);
  const dsPlugin = dsModule.plugin as grafanaData.DataSourcePlugin<DataSourceApi>;
  const dataSources = new HostDataSourceSrv(backend, {
    [DS_TYPE]: {
      Class: dsPlugin.DataSourceClass as unknown as new (s: DataSourceInstanceSettings) => DataSourceApi,
      module: `${PLUGIN_URL}/datasource/module.js`,
      name: 'Ollama Lens messages',
    },
  });
  await dataSources.reload();
  setDataSourceSrv(dataSources);

  const appModule = await loadAmdModule(`${PLUGIN_URL}/module.js`, EXTERNALS);
  const app = appModule.plugin as AppPlugin;
  const settings = await backend.get<AppSettingsView>(`/api/plugins/${APP_ID}/settings`);
  const meta = appMeta(settings);
  app.init(meta);
  app.meta = meta;

  const Root = app.root!;
  const page = app.configPages![0];
  const ConfigBody = page.body;
  // One React tree for every page, so the suite can move between pages without reloading the bundles.
  const body = (
    <Routes>
      <Route
        path={`/a/${APP_ID}/*`}
        element={
          <Root meta={meta} basename={`/a/${APP_ID}`} onNavChanged={() => {}} query={{}} path={`/a/${APP_ID}`} />
        }
      />
      <Route
        path={`/plugins/${APP_ID}`}
        element={
          <HostPluginPage pageNav={{ text: 'Ollama Lens', subTitle: 'Configuration' }}>
            <ConfigBody plugin={app} query={{ page: page.id }} />
          </HostPluginPage>
        }
      />
    </Routes>
  );
  window.__hostNavigate = (url: string) => locationService.push(url);
  createRoot(document.getElementById('reactRoot')!).render(
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <LocationRouter>
        <AppChrome>{body}</AppChrome>
      </LocationRouter>
    </ThemeContext.Provider>
  );
  window.__hostReady = true;
}

boot().catch((err: Error) => {
  window.__hostError = err.stack ?? err.message;
  console.error('host boot failed', err);
});
