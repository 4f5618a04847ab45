import { screen, waitFor } from '@testing-library/react';
import type { NamedCount } from '@ollama-lens/contracts';
import { sidecarGet } from '../../testing/sidecarApi';
import { EXPLORER, apiIds, expectRows, rowIds } from '../../testing/explorerTable';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';

// Its own file: a scene rendered after others in one jsdom may read a stale time range (see Explorer.test.tsx).
let grafana: TestGrafana;
let host: string;
beforeAll(async () => {
  grafana = await startTestGrafana();
  const { hosts } = await sidecarGet<{ hosts: NamedCount[] }>('/analytics/hosts');
  // The test sidecar is the only one writing to its store: every message carries its instance name.
  expect(hosts).toHaveLength(1);
  host = hosts[0].name;
});
afterAll(() => grafana.stop());

describe('Explorer: servers', () => {
  it('has no Server filter while one sidecar writes the store', async () => {
    renderAppAt(EXPLORER);
    await waitFor(() => expect(rowIds().length).toBeGreaterThan(1));
    expect(screen.queryByText('Server')).not.toBeInTheDocument();
  });

  it('opens a link filtered by server with the filter shown and the rows the API gives for it', async () => {
    renderAppAt(`${EXPLORER}?host=${encodeURIComponent(host)}`);
    const expected = await apiIds(`host=${encodeURIComponent(host)}`);
    expect(expected.length).toBeGreaterThan(1);
    await expectRows(expected);
    expect(screen.getByText('Server')).toBeInTheDocument();
    expect(screen.getByLabelText(`Remove ${host}`)).toBeInTheDocument();
  });

  it('a server no message came from shows no rows', async () => {
    renderAppAt(`${EXPLORER}?host=nowhere`);
    expect(await apiIds('host=nowhere')).toEqual([]);
    await waitFor(() => expect(screen.getByLabelText('Remove nowhere')).toBeInTheDocument());
    await waitFor(() => expect(rowIds()).toEqual([]));
  });
});
