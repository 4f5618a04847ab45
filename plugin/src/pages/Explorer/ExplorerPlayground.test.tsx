import { screen, waitFor } from '@testing-library/react';
import { MESSAGE_ID_HEADER, MODELS_API } from '@ollama-lens/contracts';
import { sidecarMessages, sidecarPost } from '../../testing/sidecarApi';
import { EXPLORER, rowIds } from '../../testing/explorerTable';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';

// Its own file: a scene rendered after others in one jsdom may read a stale time range (see Explorer.test.tsx).
let grafana: TestGrafana;
let id: string;
beforeAll(async () => {
  grafana = await startTestGrafana();
  const sent = await sidecarPost(MODELS_API.playgroundChat, {
    model: 'tiny',
    messages: [{ role: 'user', content: 'A playground question about lighthouses' }],
    options: { num_predict: 4, seed: 1 },
  });
  expect(sent.status).toBe(200);
  id = String(sent.headers[MESSAGE_ID_HEADER]);
  // Stored with the writer's next batch.
  await waitFor(async () =>
    expect((await sidecarMessages('origin=playground')).messages.map((m) => m.id)).toContain(id)
  );
});
afterAll(() => grafana.stop());

describe('Explorer: playground exchanges', () => {
  it('tags an exchange sent from the playground in the table and finds it with the Origin filter', async () => {
    renderAppAt(`${EXPLORER}?origin=playground`);
    await waitFor(() => expect(rowIds()).toContain(id));
    // The filter is shown (among the advanced ones, opened because it is set) …
    expect(screen.getByLabelText('Remove Playground')).toBeInTheDocument();
    // … and every row it leaves is the playground's, tagged.
    const rows = screen.getAllByTestId('message-row');
    rows.forEach((r) => expect(r).toHaveTextContent('playground'));
    const api = (await sidecarMessages('origin=playground&limit=100')).messages;
    expect(api.every((m) => m.origin === 'playground')).toBe(true);
    expect(rows).toHaveLength(Math.min(api.length, 25));
  });

  it("leaves applications' messages untagged", async () => {
    renderAppAt(EXPLORER);
    await waitFor(() => expect(rowIds().length).toBeGreaterThan(1));
    const apps = screen.getAllByTestId('message-row').filter((r) => r.getAttribute('data-message-id') !== id);
    expect(apps.length).toBeGreaterThan(0);
    apps.forEach((r) => expect(r.querySelector('[class*="originBadge"], .css-originBadge')).toBeNull());
    apps.forEach((r) => expect(r).not.toHaveTextContent(/playground/));
  });
});
