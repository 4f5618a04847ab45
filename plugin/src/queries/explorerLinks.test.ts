/**
 * @jest-environment node
 */
/**
 * One model name across the product: a click on a dashboard series goes, through the data link the
 * provisioned dashboard carries, to the Explorer URL, and that URL's filter finds the series' messages.
 * Against a real sidecar of this file's own (the pages' sidecar keeps its seeded messages unchanged) in
 * front of the real Ollama of the plugin's jest globalSetup: a request sent as `tiny` is labelled
 * `tiny:latest` by the metrics, and the Explorer must show it under that label.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SceneObjectUrlValues } from '@grafana/scenes';
import { EXPLORER_PATH, type MessagesPage } from '@ollama-lens/contracts';
import { filtersToParams, pageToParams } from '../api/filters';
import { emptyFilterValues, fromUrlValues } from '../pages/Explorer/filterState';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { testSidecar } from '../testing/sidecarEnv';
import { EXPLORER_MODEL_LINK } from './ids';
import { panelByKey } from './panels';

const DASHBOARD = path.resolve(__dirname, '../../../provisioning/dashboards/ollama-overview.json');

interface DashboardJson {
  panels: Array<{ id: number; fieldConfig?: { defaults?: { links?: Array<{ title: string; url: string }> } } }>;
}

/** The data links the provisioned dashboard gives a panel's series. */
function provisionedLinks(key: string): Array<{ title: string; url: string }> {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as DashboardJson;
  const id = panelByKey(key).id;
  const panel = dashboard.panels.find((p) => p.id === id);
  if (!panel) {
    throw new Error(`panel ${key} (id ${id}) is not in the provisioned dashboard`);
  }
  return panel.fieldConfig?.defaults?.links ?? [];
}

/**
 * What Grafana does to a data link's URL when a series is clicked, for the variables our links use;
 * any other variable left in the URL fails the test rather than passing through unreplaced.
 */
function interpolate(url: string, labels: Record<string, string>, range: { from: number; to: number }): string {
  const out = url
    .replace(/\$\{__field\.labels\.(\w+):percentencode\}/g, (_m, name: string) => encodeURIComponent(labels[name]))
    .replace(/\$\{__url_time_range\}/g, `from=${range.from}&to=${range.to}`);
  expect(out).not.toMatch(/\$\{/);
  return out;
}

/** The Explorer's reading of its URL (its own parser) and the API request it makes from it. */
function explorerRequest(url: string): string {
  const u = new URL(url, 'http://grafana.invalid');
  expect(u.pathname).toBe(EXPLORER_PATH);
  const values: SceneObjectUrlValues = {};
  for (const key of new Set(u.searchParams.keys())) {
    const all = u.searchParams.getAll(key);
    values[key] = all.length > 1 ? all : all[0];
  }
  const { values: state, problems } = fromUrlValues(values, emptyFilterValues());
  expect(problems).toEqual([]);
  // The time range is the Explorer's scene time range (URL keys from/to, epoch ms here).
  const params = filtersToParams({
    ...state.filters,
    from: Number(u.searchParams.get('from')),
    to: Number(u.searchParams.get('to')),
  });
  return pageToParams({ sort: state.sort, order: state.order, limit: 100 }, params).toString();
}

/** ollama_requests_total of /api/generate by model label, from the sidecar's /metrics. */
async function generateCounts(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^ollama_requests_total\{([^}]*)\} (\S+)$/.exec(line);
    const model = m ? /model="([^"]*)"/.exec(m[1])?.[1] : undefined;
    if (m && model && /endpoint="\/api\/generate"/.test(m[1])) {
      counts.set(model, (counts.get(model) ?? 0) + Number(m[2]));
    }
  }
  return counts;
}

/**
 * The model label the sidecar's metrics gave a request of `requested` sent since `before`: the series
 * that grew (other tests may send requests meanwhile, so the one of its canonical name), and never
 * one of the name as requested.
 */
async function modelLabelOf(url: string, before: Map<string, number>, requested: string): Promise<string> {
  const counts = await generateCounts(url);
  const grown = [...counts].filter(([model, n]) => n > (before.get(model) ?? 0)).map(([model]) => model);
  expect([...counts.keys()]).not.toContain(requested);
  const label = grown.find((model) => model.startsWith(`${requested}:`));
  if (!label) {
    throw new Error(`no ollama_requests_total series grew for ${requested}; grew: ${grown.join(', ')}`);
  }
  return label;
}

let own: TestSidecar;
beforeAll(async () => {
  own = await startSidecar(testSidecar().ollamaUrl, ['--batch-ms', '20']);
});
afterAll(() => own?.close());

async function sidecarMessages(query: string): Promise<MessagesPage> {
  return (await (await fetch(`${own.adminUrl}/analytics/messages?${query}`)).json()) as MessagesPage;
}

describe('from a dashboard series to its messages in the Explorer', () => {
  it.each(['requestRateByModel', 'tokensPerSecondByModel', 'costByModel'])(
    '%s links each model series into the Explorer',
    (key) => {
      expect(provisionedLinks(key)).toEqual([EXPLORER_MODEL_LINK]);
    }
  );

  it('a request sent as `tiny` is found under its series label through the provisioned link', async () => {
    // The sidecar serves the proxy and the admin API on one listener.
    const { url } = own;
    const before = await generateCounts(url);
    const started = Date.now();
    const marker = `explorer-link-${started}`;
    const res = await fetch(`${url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-session-id': marker },
      body: JSON.stringify({ model: 'tiny', prompt: marker, stream: false, options: { num_predict: 4, seed: 1 } }),
    });
    expect(res.status).toBe(200);
    await res.text();

    const label = await modelLabelOf(url, before, 'tiny');
    expect(label).toBe('tiny:latest');

    const [link] = provisionedLinks('requestRateByModel');
    const range = { from: started - 60_000, to: Date.now() + 60_000 };
    const query = explorerRequest(interpolate(link.url, { model: label }, range));
    expect(new URLSearchParams(query).getAll('model')).toEqual(['tiny:latest']);

    // The writer thread commits in batches: the message shows within moments.
    let found: Awaited<ReturnType<typeof sidecarMessages>>['messages'] = [];
    for (let attempt = 0; attempt < 100 && found.length === 0; attempt++) {
      const page = await sidecarMessages(query);
      found = page.messages.filter((m) => m.session === marker);
      if (found.length === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(found).toHaveLength(1);
    expect(found[0].model).toBe('tiny:latest');
    // Every message the link shows is of the clicked series' model, and the name as requested finds them too.
    const page = await sidecarMessages(query);
    expect(page.messages.length).toBeGreaterThan(0);
    expect(page.messages.every((m) => m.model === 'tiny:latest')).toBe(true);
    const asRequested = await sidecarMessages(query.replace('model=tiny%3Alatest', 'model=tiny'));
    expect(asRequested.messages.map((m) => m.id)).toEqual(page.messages.map((m) => m.id));
  }, 60_000);
});
