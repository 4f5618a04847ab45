/**
 * The Overview's event layers, in a jsdom of their own: a scene rendered after earlier renders in the same
 * jsdom can run its layers against a stale time range (the same jsdom-only effect Explorer.test.tsx notes).
 */
import { screen, waitFor } from '@testing-library/react';
import { dataLayers, SceneDataLayerSet, sceneGraph, type SceneObject } from '@grafana/scenes';
import type { EventsResponse } from '@ollama-lens/contracts';
import { sidecarGet } from '../../testing/sidecarApi';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';

const APP = '/a/ollamalens-explorer-app';

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
});
afterAll(() => grafana.stop());

describe('Overview page, events', () => {
  it('draws the sidecar’s events on the charts, one layer per group', async () => {
    renderAppAt(`${APP}/overview`);
    await screen.findByTestId('ollamalens-status-line');
    const scene = (window as unknown as { __grafanaSceneContext?: SceneObject }).__grafanaSceneContext;
    const layers = scene && sceneGraph.findObject(scene, (o) => o instanceof SceneDataLayerSet);
    expect(layers).toBeInstanceOf(SceneDataLayerSet);
    const byName = new Map(
      (layers as SceneDataLayerSet).state.layers.map((l) => [l.state.name, l as dataLayers.AnnotationsDataLayer])
    );
    expect([...byName.keys()]).toEqual(['Models', 'Ollama', 'Sidecar']);
    const range = sceneGraph.getTimeRange(layers!).state.value;
    const expected = await sidecarGet<EventsResponse>(
      `/analytics/events?group=sidecar&from=${range.from.valueOf()}&to=${range.to.valueOf()}`
    );
    expect(expected.events.length).toBeGreaterThan(0);
    await waitFor(() => {
      // A layer's data is its processed annotations (time, title, text, the layer's colour…), which every
      // query runner below it attaches to its panel.
      const frames = byName.get('Sidecar')?.state.data?.series ?? [];
      const times = frames.flatMap((f) => (f.fields.find((x) => x.name === 'time')?.values ?? []) as number[]);
      expect(times).toEqual(expected.events.map((e) => e.at));
    });
  });
});
