// Sidecar tests: unit tests beside the code (src/), black-box tests against the real Ollama in test/.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 60000,
  // Tests share one real Ollama (one CPU runner): two workers keep both cores busy without starving it.
  maxWorkers: 2,
};
