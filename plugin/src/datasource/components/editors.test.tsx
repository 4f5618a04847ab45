import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSourceInstanceSettings, DataSourceSettings } from '@grafana/data';
import { MessagesDataSource } from '../datasource';
import type { MessagesDataSourceOptions, MessagesQuery, MessagesSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';
import { QueryEditor } from './QueryEditor';

function settings(
  secureJsonFields: Record<string, boolean> = {}
): DataSourceSettings<MessagesDataSourceOptions, MessagesSecureJsonData> {
  return {
    id: 1,
    uid: 'ollamalens-messages',
    orgId: 1,
    name: 'Ollama Lens messages',
    type: 'ollamalens-messages-datasource',
    typeName: 'Ollama Lens messages',
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
    jsonData: { url: 'http://old:11435' },
    secureJsonFields,
    version: 1,
  };
}

describe('ConfigEditor', () => {
  it('writes the URL to jsonData and the token only to secureJsonData', () => {
    const changes: Array<DataSourceSettings<MessagesDataSourceOptions, MessagesSecureJsonData>> = [];
    render(<ConfigEditor options={settings()} onOptionsChange={(o) => changes.push(o)} />);
    fireEvent.change(screen.getByLabelText('Sidecar URL'), { target: { value: ' http://sidecar:11435 ' } });
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 's3cret' } });
    expect(changes[0].jsonData).toEqual({ url: 'http://sidecar:11435' });
    expect(changes[1].secureJsonData).toEqual({ token: 's3cret' });
    expect(JSON.stringify(changes[1].jsonData)).not.toContain('s3cret');
  });

  it('shows a stored token as configured and resets it', () => {
    const changes: Array<DataSourceSettings<MessagesDataSourceOptions, MessagesSecureJsonData>> = [];
    render(<ConfigEditor options={settings({ token: true })} onOptionsChange={(o) => changes.push(o)} />);
    fireEvent.click(screen.getByText('Reset'));
    expect(changes[0].secureJsonFields).toEqual({ token: false });
    expect(changes[0].secureJsonData).toEqual({ token: '' });
  });

  it('writes the actions token only to secureJsonData and resets it on its own', () => {
    const changes: Array<DataSourceSettings<MessagesDataSourceOptions, MessagesSecureJsonData>> = [];
    render(
      <ConfigEditor options={settings({ token: true, actionsToken: true })} onOptionsChange={(o) => changes.push(o)} />
    );
    fireEvent.click(screen.getAllByText('Reset')[1]);
    expect(changes[0].secureJsonFields).toEqual({ token: true, actionsToken: false });
    expect(changes[0].secureJsonData).toEqual({ actionsToken: '' });
    fireEvent.change(screen.getByLabelText('Actions token'), { target: { value: 'act' } });
    expect(changes[1].secureJsonData).toEqual({ actionsToken: 'act' });
    expect(JSON.stringify(changes[1].jsonData)).not.toContain('act');
  });
});

describe('QueryEditor', () => {
  const instance: DataSourceInstanceSettings<MessagesDataSourceOptions> = {
    id: 1,
    uid: 'ollamalens-messages',
    name: 'Ollama Lens messages',
    type: 'ollamalens-messages-datasource',
    access: 'proxy',
    readOnly: false,
    url: '/api/datasources/proxy/uid/ollamalens-messages',
    jsonData: { url: 'http://sidecar:11435' },
    meta: {} as DataSourceInstanceSettings['meta'],
  };
  const ds = new MessagesDataSource(instance, undefined);

  it('applies text and number filters on blur and reruns the query', () => {
    let query: MessagesQuery = { refId: 'A', queryType: 'messages' };
    let runs = 0;
    render(<QueryEditor datasource={ds} query={query} onChange={(q) => (query = q)} onRunQuery={() => runs++} />);
    const search = screen.getByLabelText('Search');
    fireEvent.change(search, { target: { value: 'tides' } });
    fireEvent.blur(search);
    expect(query.search).toBe('tides');
    const models = screen.getByLabelText('Models');
    fireEvent.change(models, { target: { value: '$model' } });
    fireEvent.blur(models);
    expect(query.models).toBe('$model');
    const limit = screen.getByLabelText('Limit');
    fireEvent.change(limit, { target: { value: '50' } });
    fireEvent.blur(limit);
    expect(query.limit).toBe(50);
    expect(runs).toBe(3);
  });

  it('refuses a bound the API would refuse: negative, a fraction of a token', () => {
    let runs = 0;
    render(<QueryEditor datasource={ds} query={{ refId: 'A' }} onChange={() => {}} onRunQuery={() => runs++} />);
    const min = screen.getByLabelText('Min latency ms');
    fireEvent.change(min, { target: { value: '-5' } });
    fireEvent.blur(min);
    expect(screen.getByText('Min latency ms: minLatencyMs must be a number ≥ 0, got "-5"')).toBeInTheDocument();
    const tokens = screen.getByLabelText('Max in tokens');
    fireEvent.change(tokens, { target: { value: '2.5' } });
    fireEvent.blur(tokens);
    expect(screen.getByText('Max in tokens: maxInputTokens must be a whole number ≥ 0, got "2.5"')).toBeInTheDocument();
    expect(runs).toBe(0);
  });

  it('takes a latency bound with a fraction of a millisecond', () => {
    let query: MessagesQuery = { refId: 'A' };
    render(<QueryEditor datasource={ds} query={query} onChange={(q) => (query = q)} onRunQuery={() => {}} />);
    const max = screen.getByLabelText('Max latency ms');
    fireEvent.change(max, { target: { value: '0.75' } });
    fireEvent.blur(max);
    expect(query.maxLatencyMs).toBe(0.75);
  });
});
