// The plugin's Chromium suite (`npm run test:browser -w plugin`): real Chromium, the built plugin in a
// host page, and a real sidecar, Ollama and Prometheus behind the data source proxy emulation.
const base = require('../.config/jest.config');

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': base.transform['^.+\\.(t|j)sx?$'] },
  testMatch: ['<rootDir>/**/*.browser.test.ts'],
  globalSetup: '<rootDir>/jest/global-setup.ts',
  globalTeardown: '<rootDir>/jest/global-teardown.ts',
  testSequencer: '<rootDir>/jest/sequencer.js',
  // One Chromium at a time: the machine has two cores and the stack needs one.
  maxWorkers: 1,
  testTimeout: 90000,
};
