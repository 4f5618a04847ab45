// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  transform: {
    ...base.transform,
    // d3-color (via @grafana/data) ships only an .mjs build, which the scaffold's transform does not match.
    '^.+\\.mjs$': swc,
  },
  // The contracts workspace from its source, so the tests see a change there without a build.
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^@ollama-lens/contracts$': '<rootDir>/../contracts/src/index.ts',
  },
  // One real sidecar (in front of a real Ollama) for the whole run; see jest/global-setup.ts.
  globalSetup: '<rootDir>/jest/global-setup.ts',
  globalTeardown: '<rootDir>/jest/global-teardown.ts',
  testTimeout: 60000,
  // Two cores: the sidecar and Ollama need one.
  maxWorkers: 2,
};
