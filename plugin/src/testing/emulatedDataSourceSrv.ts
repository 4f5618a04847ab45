/**
 * Grafana's DataSourceSrv over the GrafanaEmulator's /api/datasources, built as Grafana builds instance
 * settings for `access: proxy` (url = the data source proxy path). Shared by the jsdom page tests and the
 * Chromium host page, which differ only in how a data source is instantiated; browser-safe (no Node
 * imports), as the host page bundles it.
 */
import {
  PluginType,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePluginMeta,
  type DataSourceRef,
  type ScopedVars,
} from '@grafana/data';
import { getTemplateSrv, type BackendSrv, type DataSourceSrv, type GetDataSourceListFilters } from '@grafana/runtime';

interface DataSourceView {
  id: number;
  uid: string;
  name: string;
  type: string;
  readOnly: boolean;
  jsonData: Record<string, unknown>;
}

/** A data source type the test host can run: its display name, module path and constructor. */
export interface EmulatedPlugin {
  name: string;
  module: string;
  create(settings: DataSourceInstanceSettings): DataSourceApi;
}

function meta(type: string, plugin: EmulatedPlugin | undefined): DataSourcePluginMeta {
  return {
    id: type,
    name: plugin?.name ?? type,
    type: PluginType.datasource,
    module: plugin?.module ?? `core:plugin/${type}`,
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

export class EmulatedDataSourceSrv implements DataSourceSrv {
  private list: DataSourceInstanceSettings[] = [];
  private readonly instances = new Map<string, DataSourceApi>();

  /**
   * `plugins`: the types that run here, by plugin id; `unavailable` says why another type cannot (an
   * error to throw), or gives nothing to fail with "no plugin".
   */
  constructor(
    private readonly backend: BackendSrv,
    private readonly plugins: Record<string, EmulatedPlugin>,
    private readonly unavailable: (type: string) => Error = (type) =>
      new Error(`no plugin for data source type ${type}`)
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
      meta: meta(v.type, this.plugins[v.type]),
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

  /** Like Grafana's: a `${variable}` reference is resolved through TemplateSrv, in the scene that asks. */
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
      if (!plugin) {
        throw this.unavailable(settings.type);
      }
      instance = plugin.create(settings);
      this.instances.set(settings.uid, instance);
    }
    return instance;
  }

  registerRuntimeDataSource(): void {
    throw new Error('runtime data sources are not used by this plugin');
  }
}
