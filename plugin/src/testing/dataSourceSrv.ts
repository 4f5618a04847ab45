/**
 * A DataSourceSrv over the GrafanaEmulator's data sources, built like Grafana builds instance settings
 * for `access: proxy` (url = the data source proxy path). `get` instantiates OUR data source class; other
 * types (Prometheus) are Grafana's own plugins, which cannot run outside Grafana.
 */
import {
  PluginType,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePluginMeta,
  type DataSourceRef,
  type ScopedVars,
} from '@grafana/data';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import type { BackendSrv, DataSourceSrv, GetDataSourceListFilters } from '@grafana/runtime';
import { MessagesDataSource } from '../datasource/datasource';
import type { MessagesDataSourceOptions } from '../datasource/types';
import { readPluginJson } from './grafanaEmulator';

interface DataSourceView {
  id: number;
  uid: string;
  name: string;
  type: string;
  access: 'proxy';
  readOnly: boolean;
  jsonData: Record<string, unknown>;
}

function metaFor(type: string): DataSourcePluginMeta {
  const ours = readPluginJson('datasource/plugin.json');
  const isOurs = type === ours.id;
  return {
    id: type,
    name: isOurs ? ours.name : type,
    type: PluginType.datasource,
    module: isOurs ? `public/plugins/ollamalens-explorer-app/datasource/module.js` : `core:plugin/${type}`,
    baseUrl: '',
    metrics: true,
    info: {
      author: { name: 'test' },
      description: '',
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '',
    },
  };
}

export class EmulatorDataSourceSrv implements DataSourceSrv {
  private list: Array<DataSourceInstanceSettings<MessagesDataSourceOptions>> = [];

  constructor(private readonly backend: BackendSrv) {}

  async reload(): Promise<void> {
    const views = await this.backend.get<DataSourceView[]>('/api/datasources');
    this.list = views.map((v) => ({
      id: v.id,
      uid: v.uid,
      name: v.name,
      type: v.type,
      access: v.access,
      readOnly: v.readOnly,
      url: `/api/datasources/proxy/uid/${v.uid}`,
      jsonData: v.jsonData,
      meta: metaFor(v.type),
    }));
  }

  getList(filters: GetDataSourceListFilters = {}): DataSourceInstanceSettings[] {
    return this.list.filter((s) => {
      if (filters.pluginId && s.type !== filters.pluginId) {
        return false;
      }
      if (filters.type && !(Array.isArray(filters.type) ? filters.type : [filters.type]).includes(s.type)) {
        return false;
      }
      return filters.filter ? filters.filter(s) : true;
    });
  }

  getInstanceSettings(ref?: DataSourceRef | string | null): DataSourceInstanceSettings | undefined {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return this.list.find((s) => s.uid === key || s.name === key);
  }

  /** Like Grafana's: a `${variable}` reference is resolved in the scene that asks (scopedVars.__sceneObject). */
  private resolve(ref: DataSourceRef | string | null | undefined, scopedVars?: ScopedVars): string | undefined {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    const scene = scopedVars?.__sceneObject?.value as SceneObject | undefined;
    return key && key.includes('$') && scene ? sceneGraph.interpolate(scene, key) : key;
  }

  async get(ref?: DataSourceRef | string | null, scopedVars?: ScopedVars): Promise<DataSourceApi> {
    const key = this.resolve(ref, scopedVars);
    const settings = this.list.find((s) => s.uid === key || s.name === key);
    if (!settings) {
      throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
    }
    if (settings.type !== readPluginJson('datasource/plugin.json').id) {
      throw new Error(`The ${settings.type} data source is part of Grafana itself and cannot run in these tests`);
    }
    // DataSourceApi's generics are invariant through its editor props; Grafana's registry widens the same way.
    return new MessagesDataSource(settings, undefined) as unknown as DataSourceApi;
  }

  registerRuntimeDataSource(): void {
    throw new Error('runtime data sources are not used by this plugin');
  }
}
