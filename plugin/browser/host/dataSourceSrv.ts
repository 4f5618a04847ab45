/**
 * Grafana's DataSourceSrv over the emulator's /api/datasources: our data source is the class from the
 * plugin's own built module (as Grafana instantiates it), Prometheus is the stand-in.
 */
import {
  PluginType,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePluginMeta,
  type DataSourceRef,
  type ScopedVars,
} from '@grafana/data';
import type { BackendSrv, DataSourceSrv, GetDataSourceListFilters } from '@grafana/runtime';
import { getTemplateSrv } from '@grafana/runtime';
import { PrometheusStandIn } from './prometheus';

interface DataSourceView {
  id: number;
  uid: string;
  name: string;
  type: string;
  readOnly: boolean;
  jsonData: Record<string, unknown>;
}

type DataSourceClass = new (settings: DataSourceInstanceSettings) => DataSourceApi;

function meta(type: string, name: string, module: string): DataSourcePluginMeta {
  return {
    id: type,
    name,
    type: PluginType.datasource,
    module,
    baseUrl: '',
    metrics: true,
    info: {
      author: { name: '' },
      description: '',
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '',
    },
  };
}

export class HostDataSourceSrv implements DataSourceSrv {
  private list: DataSourceInstanceSettings[] = [];
  private readonly instances = new Map<string, DataSourceApi>();

  constructor(
    private readonly backend: BackendSrv,
    private readonly plugins: Record<string, { Class: DataSourceClass; module: string; name: string }>
  ) {}

  async reload(): Promise<void> {
    const views = await this.backend.get<DataSourceView[]>('/api/datasources');
    this.instances.clear();
    this.list = views.map((v) => ({
      id: v.id,
      uid: v.uid,
      name: v.name,
      type: v.type,
      access: 'proxy',
      readOnly: v.readOnly,
      url: `/api/datasources/proxy/uid/${v.uid}`,
      jsonData: v.jsonData,
      meta: meta(v.type, this.plugins[v.type]?.name ?? v.type, this.plugins[v.type]?.module ?? `core:plugin/${v.type}`),
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

  private key(ref: DataSourceRef | string | null | undefined, scopedVars?: ScopedVars): string | undefined {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return key && key.includes('$') ? getTemplateSrv().replace(key, scopedVars) : key;
  }

  getInstanceSettings(
    ref?: DataSourceRef | string | null,
    scopedVars?: ScopedVars
  ): DataSourceInstanceSettings | undefined {
    const key = this.key(ref, scopedVars);
    return this.list.find((s) => s.uid === key || s.name === key);
  }

  async get(ref?: DataSourceRef | string | null, scopedVars?: ScopedVars): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref, scopedVars);
    if (!settings) {
      throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
    }
    let instance = this.instances.get(settings.uid);
    if (!instance) {
      const plugin = this.plugins[settings.type];
      if (plugin) {
        instance = new plugin.Class(settings);
      } else if (settings.type === 'prometheus') {
        instance = new PrometheusStandIn(settings) as unknown as DataSourceApi;
      } else {
        throw new Error(`no plugin for data source type ${settings.type}`);
      }
      this.instances.set(settings.uid, instance);
    }
    return instance;
  }

  registerRuntimeDataSource(): void {
    throw new Error('runtime data sources are not used by this plugin');
  }
}
