import { screen } from '@testing-library/react';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';

describe('Explorer without a working data source', () => {
  let grafana: TestGrafana;
  afterEach(() => grafana.stop());

  it('says how to set up the messages data source when there is none', async () => {
    grafana = await startTestGrafana({ dataSource: null });
    renderAppAt('/a/ollamalens-explorer-app/explorer');
    expect(await screen.findByText('The Explorer needs the messages data source')).toBeInTheDocument();
    expect(
      screen.getByText(/Open the app’s configuration page, enter the sidecar URL and create it/)
    ).toBeInTheDocument();
  });

  it('shows the sidecar’s refusal when the data source holds a wrong token', async () => {
    grafana = await startTestGrafana({ dataSource: { token: 'wrong-token' } });
    renderAppAt('/a/ollamalens-explorer-app/explorer');
    expect(await screen.findByText('Could not load the analytics')).toBeInTheDocument();
    expect(screen.getAllByText(/the sidecar rejected the token \(401\)/).length).toBeGreaterThan(0);
    expect(await screen.findByText('Could not load messages')).toBeInTheDocument();
  });
});
