/**
 * The Models page against a sidecar of this file's own (with an actions token) in front of the second real
 * Ollama the jest globalSetup starts for this file alone, reached through the Grafana emulator's data source
 * proxy, which applies the data source's routes as shipped (the actions route only for Admins). What the
 * page shows is compared with what Ollama itself reports. Pulls: a real pull cannot reach a registry here, so a scripted upstream
 * sends the progress of `scripted-pull…` models; the real Ollama's own error is checked too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OrgRole } from '@grafana/data';
import { config, getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { ACTIONS_TOKEN_HEADER, MODELS_API, type InstalledModels } from '@ollama-lens/contracts';
import { spawnSidecarProcess, type SidecarProcess } from '@ollama-lens/testkit/sidecar-process';
import { ACTIONS_PROXY_ROUTE, DEFAULT_MESSAGES_DATASOURCE_UID } from '../../constants';
import { modelsTestOllamaUrl } from '../../testing/sidecarEnv';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import { PullUpstream, SCRIPTED_PULL_PREFIX } from './testing/pullUpstream';
import { request, type OllamaPs, type OllamaTags } from './testing/http';
import { MODELS_TEST_IDS } from './testIds';

const PAGE = '/a/ollamalens-explorer-app/models';
const TOKEN = 'models-test-read-token';
const ACTIONS_TOKEN = 'models-test-actions-token';

// An Ollama of this file's own (see SIDECAR_ENV.modelsOllama).
const ollamaUrl = modelsTestOllamaUrl();
let upstream: PullUpstream;
let sidecar: SidecarProcess;
let grafana: TestGrafana;

beforeAll(async () => {
  upstream = new PullUpstream(ollamaUrl);
  const upstreamUrl = await upstream.start();
  sidecar = await spawnSidecarProcess(upstreamUrl, [
    '--admin-token',
    TOKEN,
    '--actions-token',
    ACTIONS_TOKEN,
    // info: the spawner reads the proxy's URL from the start-up log line.
    '--log-level',
    'info',
    '--poll-interval-ms',
    '60000',
    '--db',
    join(mkdtempSync(join(tmpdir(), 'ollama-lens-models-test-')), 'lens.db'),
  ]);
  grafana = await startTestGrafana({ dataSource: { url: sidecar.url, token: TOKEN, actionsToken: ACTIONS_TOKEN } });
});
afterAll(async () => {
  await grafana?.stop();
  sidecar?.proc.kill('SIGTERM');
  await sidecar?.exited;
  await upstream?.stop();
});

function actAs(role: OrgRole.Admin | OrgRole.Viewer) {
  // The browser's idea of the user (which buttons show) and the server's (what the route lets through).
  config.bootData.user.orgRole = role;
  grafana.emulator.userRole = role;
}
beforeEach(() => actAs(OrgRole.Admin));

const ollamaTags = async () => (await request<OllamaTags>(`${ollamaUrl}/api/tags`)).body.models.map((m) => m.name);
const ollamaPs = async () => (await request<OllamaPs>(`${ollamaUrl}/api/ps`)).body.models.map((m) => m.name);
const row = (name: string) => screen.getByTestId(MODELS_TEST_IDS.installedRow(name));

describe('Models page', () => {
  it('lists exactly what Ollama has installed, with its digest and size', async () => {
    const tags = (await request<OllamaTags>(`${ollamaUrl}/api/tags`)).body.models;
    expect(tags.length).toBeGreaterThan(0);
    renderAppAt(PAGE);
    const table = await screen.findByTestId(MODELS_TEST_IDS.installedTable);
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(tags.length + 1));
    for (const tag of tags) {
      expect(within(row(tag.name)).getByText(tag.digest.slice(0, 12))).toBeInTheDocument();
    }
  });

  it('shows a Viewer no actions, and Grafana refuses the actions route to a Viewer', async () => {
    actAs(OrgRole.Viewer);
    const [name] = await ollamaTags();
    renderAppAt(PAGE);
    await screen.findByTestId(MODELS_TEST_IDS.installedRow(name));
    for (const label of ['Load', 'Unload', 'Copy', 'Delete', 'Pull']) {
      expect(screen.queryByRole('button', { name: new RegExp(`^${label}\\b`) })).toBeNull();
    }
    expect(screen.queryByRole('button', { name: /favourites/ })).toBeNull();
    const refused = await lastValueFrom(
      getBackendSrv().fetch({
        url: `/api/datasources/proxy/uid/${DEFAULT_MESSAGES_DATASOURCE_UID}/${ACTIONS_PROXY_ROUTE}${MODELS_API.actions.load}`,
        method: 'POST',
        data: { model: name },
        showErrorAlert: false,
      })
    ).catch((err: { status: number }) => err);
    expect(refused.status).toBe(403);
    // And straight to the sidecar with the read token alone (what a Viewer's Grafana route carries).
    const direct = await request(`${sidecar.url}${MODELS_API.actions.load}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: { model: name },
    });
    expect(direct.status).toBe(403);
  });

  it('copies and deletes a model as an Admin (with a confirmation), and Ollama’s list changes', async () => {
    const [source] = await ollamaTags();
    const copy = `lens-models-test-${Date.now().toString(36)}:latest`;
    renderAppAt(PAGE);
    await userEvent.click(await screen.findByRole('button', { name: `Copy ${source}` }));
    await userEvent.type(screen.getByLabelText('New name'), copy);
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Copy' }));
    await screen.findByTestId(MODELS_TEST_IDS.installedRow(copy));
    expect(await ollamaTags()).toContain(copy);

    await userEvent.click(screen.getByRole('button', { name: `Delete ${copy}` }));
    const confirm = await screen.findByRole('dialog');
    expect(confirm).toHaveTextContent(`Delete ${copy} from Ollama?`);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByTestId(MODELS_TEST_IDS.installedRow(copy))).toBeNull());
    expect(await ollamaTags()).not.toContain(copy);
  });

  it('unloads and loads a model as an Admin, and the Loaded list follows /api/ps', async () => {
    // Copies share their weights, and Ollama runs one runner per weights file (listed under the name
    // that loaded it), so this acts on a harness model itself and puts back its keep-alive after.
    const [name] = await ollamaTags();
    try {
      await request(`${ollamaUrl}/api/generate`, {
        method: 'POST',
        body: { model: name, keep_alive: -1, stream: false },
      });
      renderAppAt(PAGE);
      const item = await screen.findByTestId(MODELS_TEST_IDS.loadedItem(name));
      expect(item).toHaveTextContent('expires never');
      expect(within(item).getByRole('img').getAttribute('aria-label')).toMatch(
        new RegExp(`^${name}: .* in VRAM, .* in RAM$`)
      );

      await userEvent.click(within(item).getByRole('button', { name: `Unload ${name} now` }));
      await waitFor(() => expect(screen.queryByTestId(MODELS_TEST_IDS.loadedItem(name))).toBeNull());
      expect(await ollamaPs()).not.toContain(name);
      expect(within(row(name)).queryByText('loaded')).toBeNull();

      await userEvent.click(screen.getByRole('button', { name: `Load ${name}` }));
      await screen.findByTestId(MODELS_TEST_IDS.loadedItem(name));
      expect(await ollamaPs()).toContain(name);
      expect(within(row(name)).getByText('loaded')).toBeInTheDocument();
    } finally {
      await request(`${ollamaUrl}/api/generate`, {
        method: 'POST',
        body: { model: name, keep_alive: -1, stream: false },
      });
    }
  });

  it('keeps favourites and the default model on the sidecar', async () => {
    const [name] = await ollamaTags();
    renderAppAt(PAGE);
    await userEvent.click(await screen.findByRole('button', { name: `Add ${name} to favourites` }));
    await screen.findByRole('button', { name: `Remove ${name} from favourites` });
    await userEvent.click(screen.getByRole('button', { name: `Make default: ${name}` }));
    await within(row(name)).findByText('default');
    const stored = await request<InstalledModels>(`${sidecar.url}${MODELS_API.installed}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(stored.body.preferences).toEqual({ favourites: [name], default_model: name });
    // Put back as they were, so the other tests see no preferences.
    await request(`${sidecar.url}${MODELS_API.preferences}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, [ACTIONS_TOKEN_HEADER]: ACTIONS_TOKEN },
      body: { favourites: [], default_model: null },
    });
  });

  it('opens a model’s template, parameters and Modelfile as Ollama gives them', async () => {
    const [name] = await ollamaTags();
    const show = (
      await request<{ template: string; modelfile: string }>(`${ollamaUrl}/api/show`, {
        method: 'POST',
        body: { model: name },
      })
    ).body;
    renderAppAt(PAGE);
    await userEvent.click(await screen.findByRole('button', { name }));
    const drawer = await screen.findByTestId(MODELS_TEST_IDS.drawer);
    await waitFor(() => expect(within(drawer).getByLabelText('Template').textContent).toBe(show.template));
    await userEvent.click(within(drawer).getByRole('tab', { name: 'Modelfile' }));
    // Ollama writes a Modelfile's PARAMETER lines from a Go map: their order changes from one /api/show to
    // the next, so the lines are compared as a multiset.
    const lines = (text: string | null) => (text ?? '').split('\n').sort();
    expect(lines(within(drawer).getByLabelText('Modelfile').textContent)).toEqual(lines(show.modelfile));
  });

  it('draws a pull’s progress per layer as the stream says, and Cancel stops it upstream', async () => {
    const model = `${SCRIPTED_PULL_PREFIX}-${Date.now().toString(36)}`;
    renderAppAt(PAGE);
    await userEvent.type(await screen.findByLabelText('Model to pull'), model);
    await userEvent.click(screen.getByRole('button', { name: 'Pull' }));
    await upstream.opened();
    const progress = await screen.findByTestId(MODELS_TEST_IDS.pullProgress);
    upstream.send({ status: 'pulling manifest' });
    await within(progress).findByText('pulling manifest');
    upstream.send({ status: 'pulling aaaaaaaaaaaa', digest: 'sha256:aaaaaaaaaaaa01', total: 1000, completed: 250 });
    upstream.send({ status: 'pulling bbbbbbbbbbbb', digest: 'sha256:bbbbbbbbbbbb02', total: 3000 });
    const layerA = await within(progress).findByTestId(MODELS_TEST_IDS.pullLayer('aaaaaaaaaaaa'));
    await within(progress).findByTestId(MODELS_TEST_IDS.pullLayer('bbbbbbbbbbbb'));
    expect(within(layerA).getByRole('progressbar', { name: 'Layer aaaaaaaaaaaa' })).toHaveAttribute('value', '250');
    expect(layerA).toHaveTextContent('250 B of 1000 B (25%)');
    upstream.send({ status: 'pulling aaaaaaaaaaaa', digest: 'sha256:aaaaaaaaaaaa01', total: 1000, completed: 1000 });
    upstream.send({ status: 'pulling bbbbbbbbbbbb', digest: 'sha256:bbbbbbbbbbbb02', total: 3000, completed: 1000 });
    await waitFor(() => expect(layerA).toHaveTextContent('1000 B of 1000 B (100%)'));
    await within(progress).findByText(/Total 1\.95 KiB of 3\.91 KiB \(50%\)/);

    await userEvent.click(within(progress).getByRole('button', { name: 'Cancel' }));
    await within(progress).findByText('cancelled');
    await waitFor(() => expect(upstream.pulls.find((p) => p.model.startsWith(model))?.closedEarly).toBe(true));
  });

  it('shows the real Ollama’s error for a pull it cannot make', async () => {
    renderAppAt(PAGE);
    await userEvent.type(await screen.findByLabelText('Model to pull'), 'lens-models-test-missing/nothing:here');
    await userEvent.click(screen.getByRole('button', { name: 'Pull' }));
    const progress = await screen.findByTestId(MODELS_TEST_IDS.pullProgress);
    const alert = await within(progress).findByRole('alert', {}, { timeout: 45000 });
    expect(alert).toHaveTextContent('Could not pull lens-models-test-missing/nothing:here');
  }, 60000);
});
