import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * End-to-end specs against a RUNNING Grafana with this plugin installed (see README, "End-to-end tests").
 * They need GRAFANA_URL; nothing here starts Grafana, and no browser is downloaded: set CHROMIUM_PATH (or
 * have /usr/bin/chromium) to use an installed Chromium.
 */
if (!process.env.GRAFANA_URL) {
  throw new Error(
    'The e2e specs need a running Grafana with the plugin: set GRAFANA_URL (e.g. http://localhost:3000). See plugin/README.md.'
  );
}

const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;
const chromium = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig<PluginOptions>({
  testDir: './tests',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: process.env.GRAFANA_URL,
    trace: 'on-first-retry',
    user: { user: process.env.GRAFANA_ADMIN_USER ?? 'admin', password: process.env.GRAFANA_ADMIN_PASSWORD ?? 'admin' },
  },
  projects: [
    { name: 'auth', testDir: pluginE2eAuth, testMatch: [/.*\.js/] },
    {
      name: 'chromium',
      testIgnore: '**/*.viewer.spec.ts',
      use: {
        ...devices['Desktop Chrome'],
        storageState: 'playwright/.auth/admin.json',
        launchOptions: chromium ? { executablePath: chromium } : {},
      },
      dependencies: ['auth'],
    },
    // An org Viewer (created by plugin-e2e's auth setup): what the Models page shows and allows without Admin.
    {
      name: 'viewer-auth',
      testDir: pluginE2eAuth,
      testMatch: [/.*\.js/],
      use: { user: { user: 'ollamalens-e2e-viewer', password: 'ollamalens-e2e-viewer', role: 'Viewer' } },
    },
    {
      name: 'viewer',
      testMatch: '**/*.viewer.spec.ts',
      use: {
        ...devices['Desktop Chrome'],
        storageState: 'playwright/.auth/ollamalens-e2e-viewer.json',
        launchOptions: chromium ? { executablePath: chromium } : {},
      },
      dependencies: ['viewer-auth'],
    },
  ],
});
