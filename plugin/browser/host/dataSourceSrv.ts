/**
 * The host page's DataSourceSrv: our data source is the class from the plugin's own built module (as
 * Grafana instantiates it), Prometheus is the stand-in.
 */
import type { DataSourceApi, DataSourceInstanceSettings } from '@grafana/data';
import type { BackendSrv } from '@grafana/runtime';
import { EmulatedDataSourceSrv } from '../../src/testing/emulatedDataSourceSrv';
import { PrometheusStandIn } from './prometheus';

type DataSourceClass = new (settings: DataSourceInstanceSettings) => DataSourceApi;

export class HostDataSourceSrv extends EmulatedDataSourceSrv {
  constructor(backend: BackendSrv, plugins: Record<string, { Class: DataSourceClass; module: string; name: string }>) {
    super(backend, {
      ...Object.fromEntries(
        Object.entries(plugins).map(([type, p]) => [
          type,
          { name: p.name, module: p.module, create: (s: DataSourceInstanceSettings) => new p.Class(s) },
        ])
      ),
      prometheus: {
        name: 'prometheus',
        module: 'core:plugin/prometheus',
        create: (s) => new PrometheusStandIn(s) as unknown as DataSourceApi,
      },
    });
  }
}
