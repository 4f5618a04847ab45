/** Test ids of the Models page, read by its components, the jsdom tests and the plugin-e2e specs alike. */
export const MODELS_TEST_IDS = {
  installedTable: 'ollamalens-models-installed',
  installedRow: (name: string) => `ollamalens-models-installed-${name}`,
  loadedList: 'ollamalens-models-loaded',
  loadedItem: (name: string) => `ollamalens-models-loaded-${name}`,
  usageTable: 'ollamalens-models-usage',
  usageRow: (name: string) => `ollamalens-models-usage-${name}`,
  pullProgress: 'ollamalens-models-pull-progress',
  pullLayer: (digest: string) => `ollamalens-models-pull-layer-${digest}`,
  drawer: 'ollamalens-models-drawer',
} as const;
