// Sidecar tests: unit tests beside the code (src/), black-box tests against the real Ollama in test/.
// The harness (Ollama start-up, the sidecar spawner, records, fixtures) is the test kit's (testkit/).
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The contracts workspace from its source, so the tests see a change there without a build (a sidecar
  // process the tests start, and its store threads, read the contracts' dist: `npm run build`).
  moduleNameMapper: {
    '^@ollama-lens/contracts$': '<rootDir>/../contracts/src/index.ts',
    '^@ollama-lens/contracts/schemas$': '<rootDir>/../contracts/src/schemas.ts',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  globalSetup: require.resolve('@ollama-lens/testkit/jest/ollama-setup.ts'),
  globalTeardown: require.resolve('@ollama-lens/testkit/jest/ollama-teardown.ts'),
  testTimeout: 60000,
  // Tests share one real Ollama (one CPU runner): two workers keep both cores busy without starving it.
  maxWorkers: 2,
};
