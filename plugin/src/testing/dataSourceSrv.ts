/**
 * The jsdom pages' DataSourceSrv: the emulator's data sources, where only OUR data source runs (its class
 * from the source tree); other types (Prometheus) are Grafana's own plugins, which cannot run outside
 * Grafana.
 */
import type { DataSourceApi } from '@grafana/data';
import type { BackendSrv } from '@grafana/runtime';
import { MessagesDataSource } from '../datasource/datasource';
import type { MessagesDataSourceOptions } from '../datasource/types';
import { EmulatedDataSourceSrv } from './emulatedDataSourceSrv';
import { readPluginJson } from './grafanaEmulator';

export class EmulatorDataSourceSrv extends EmulatedDataSourceSrv {
  constructor(backend: BackendSrv) {
    const ours = readPluginJson('datasource/plugin.json');
    super(
      backend,
      {
        [ours.id]: {
          name: ours.name,
          module: 'public/plugins/ollamalens-explorer-app/datasource/module.js',
          // DataSourceApi's generics are invariant through its editor props; Grafana's registry widens the same way.
          create: (settings) =>
            new MessagesDataSource(
              settings as typeof settings & { jsonData: MessagesDataSourceOptions },
              undefined
            ) as unknown as DataSourceApi,
        },
      },
      (type) => new Error(`The ${type} data source is part of Grafana itself and cannot run in these tests`)
    );
  }
}
