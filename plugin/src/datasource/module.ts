import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { MessagesDataSource } from './datasource';
import type { MessagesDataSourceOptions, MessagesQuery, MessagesSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<
  MessagesDataSource,
  MessagesQuery,
  MessagesDataSourceOptions,
  MessagesSecureJsonData
>(MessagesDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
