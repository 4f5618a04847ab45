import { act, screen, waitFor } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { MESSAGE_ID_HEADER, MODELS_API } from '@ollama-lens/contracts';
import { startOwnSidecar, type OwnSidecar } from '../../testing/ownSidecar';
import { sidecarMessages, sidecarPost } from '../../testing/sidecarApi';
import { EXPLORER, rowIds } from '../../testing/explorerTable';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';

// A sidecar of its own (the playground's exchanges would change what other files count on the shared one),
// and a file of its own: a scene rendered after others in one jsdom may read a stale time range.
let sidecar: OwnSidecar;
let grafana: TestGrafana;
let playgroundId: string;
let appId: string;

/** One short chat: through the playground's route (read token), or as an application through the proxy. */
async function chat(via: 'playground' | 'application', content: string): Promise<string> {
  const body = { model: 'tiny', messages: [{ role: 'user', content }], options: { num_predict: 4, seed: 1 } };
  const res =
    via === 'playground'
      ? await sidecarPost(MODELS_API.playgroundChat, body, sidecar)
      : await sidecarPost('/api/chat', { ...body, stream: false }, { url: sidecar.url });
  expect(res.status).toBe(200);
  return String(res.headers[MESSAGE_ID_HEADER]);
}

beforeAll(async () => {
  sidecar = await startOwnSidecar('explorer-playground');
  playgroundId = await chat('playground', 'A playground question about lighthouses');
  appId = await chat('application', 'An application question about harbours');
  // Stored with the writer's next batch.
  await waitFor(async () =>
    expect((await sidecarMessages('limit=10', sidecar)).messages.map((m) => m.id).sort()).toEqual(
      [playgroundId, appId].sort()
    )
  );
  grafana = await startTestGrafana({ dataSource: { url: sidecar.url, token: sidecar.token } });
});
afterAll(async () => {
  await grafana?.stop();
  await sidecar?.stop();
});

// One render: a second Explorer render in the same jsdom may never start its queries (see Explorer.test.tsx).
describe('Explorer: playground exchanges', () => {
  it('tags the exchange sent from the playground, not the application’s, and the Origin filter finds it', async () => {
    renderAppAt(EXPLORER);
    await waitFor(() => expect(rowIds().sort()).toEqual([playgroundId, appId].sort()));
    const row = (id: string) =>
      screen.getAllByTestId('message-row').find((r) => r.getAttribute('data-message-id') === id)!;
    expect(row(playgroundId)).toHaveTextContent('playground');
    expect(row(appId)).not.toHaveTextContent('playground');

    // A shared link with the Origin filter: the filter bar shows it (advanced filters open) and only the
    // playground's exchange is left.
    act(() => locationService.push(`${EXPLORER}?origin=playground`));
    await waitFor(() => expect(rowIds()).toEqual([playgroundId]));
    expect(screen.getByLabelText('Remove Playground')).toBeInTheDocument();
  });
});
