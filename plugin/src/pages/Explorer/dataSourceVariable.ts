import { DataSourceVariable } from '@grafana/scenes';
import { DEFAULT_MESSAGES_DATASOURCE_UID, MESSAGES_DATASOURCE_TYPE } from '../../constants';
import { DS_VARIABLE } from '../../utils/datasource';

/** The `ds` variable: which messages data source (sidecar) to read; `var-ds` in the URL. */
export function messagesDataSourceVariable(): DataSourceVariable {
  return new DataSourceVariable({
    name: DS_VARIABLE,
    label: 'Sidecar',
    pluginId: MESSAGES_DATASOURCE_TYPE,
    value: DEFAULT_MESSAGES_DATASOURCE_UID,
  });
}
