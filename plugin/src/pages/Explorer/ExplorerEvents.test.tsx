/** The Explorer timeline's events, in a jsdom of its own (see Explorer.test.tsx). */
import { waitFor } from '@testing-library/react';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import type { EventsResponse } from '@ollama-lens/contracts';
import { sidecarGet } from '../../testing/sidecarApi';
import { EXPLORER, expectRows, apiIds } from '../../testing/explorerTable';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import { ExplorerBody } from './ExplorerBody';

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
});
afterAll(() => grafana.stop());

describe('Explorer page, events', () => {
  it('draws the sidecar’s events on the message timeline, at their times', async () => {
    renderAppAt(EXPLORER);
    await expectRows((await apiIds('')).slice(0, 25), true);
    const scene = (window as unknown as { __grafanaSceneContext?: SceneObject }).__grafanaSceneContext;
    const body = scene && sceneGraph.findObject(scene, (o) => o instanceof ExplorerBody);
    expect(body).toBeInstanceOf(ExplorerBody);
    const range = sceneGraph.getTimeRange(body!).state.value;
    const expected = await sidecarGet<EventsResponse>(
      `/analytics/events?from=${range.from.valueOf()}&to=${range.to.valueOf()}`
    );
    expect(expected.events.map((e) => e.type)).toContain('sidecar_started');
    await waitFor(() => {
      const data = (body as ExplorerBody).state.timeline.state.$data?.state.data;
      const [frame] = data?.annotations ?? [];
      expect(frame?.fields.find((f) => f.name === 'time')?.values).toEqual(expected.events.map((e) => e.at));
      expect(frame?.fields.find((f) => f.name === 'title')?.values).toContain('Sidecar started');
    });
  });
});
