import { AppConfigPage, AppPage, test as base } from '@grafana/plugin-e2e';
import pluginJson from '../src/plugin.json';

/**
 * Settings of the stack under test (docs: plugin/README.md, "End-to-end tests"). The sidecar URL is the
 * one the Grafana SERVER uses; the proxy URL is where this test process can send Ollama requests to
 * create messages (optional: without it the specs use what is already stored).
 */
export const E2E = {
  sidecarUrl: process.env.OLLAMA_LENS_SIDECAR_URL ?? 'http://ollama-lens:11435',
  token: process.env.OLLAMA_LENS_ADMIN_TOKEN ?? '',
  proxyUrl: process.env.OLLAMA_LENS_PROXY_URL,
  model: process.env.OLLAMA_LENS_E2E_MODEL ?? 'tinyllama',
  messagesDataSourceUid: 'ollamalens-messages',
};

type AppTestFixture = {
  appConfigPage: AppConfigPage;
  gotoPage: (path?: string) => Promise<AppPage>;
};

export const test = base.extend<AppTestFixture>({
  appConfigPage: async ({ gotoAppConfigPage }, use) => {
    await use(await gotoAppConfigPage({ pluginId: pluginJson.id }));
  },
  gotoPage: async ({ gotoAppPage }, use) => {
    await use((path) => gotoAppPage({ path, pluginId: pluginJson.id }));
  },
});

/** Sends one chat request through the sidecar's proxy (when reachable from the test) so there is a message to find. */
export async function sendThroughProxy(prompt: string, user = 'e2e'): Promise<void> {
  if (!E2E.proxyUrl) {
    return;
  }
  const res = await fetch(`${E2E.proxyUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': user },
    body: JSON.stringify({
      model: E2E.model,
      stream: false,
      options: { num_predict: 8 },
      messages: [{ role: 'user', content: prompt }],
    }),
  });
  if (!res.ok) {
    throw new Error(`sending a message through ${E2E.proxyUrl} failed: ${res.status} ${await res.text()}`);
  }
}

export { expect } from '@grafana/plugin-e2e';
