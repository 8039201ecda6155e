/**
 * Five projects: pure/unit tests, infrastructure (CDK template) tests, integration tests against moto,
 * adversarial tests (an attacker's inputs, unit and moto) that must neither steer nor slip past eni-guard,
 * and chaos tests (the bundled handler killed at crash points; a sample here, all with `npm run test:chaos`).
 */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
// quiet-sdk: one named SDK warning off, deliberately (see the file).
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/quiet-sdk.ts'],
  // Stryker's sandbox (npm run test:mutation) is a copy of the repository: never its tests or modules.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
};

// slow-timeout: a minute per test where tests run moto or synthesize apps (see the file).
const slow = { ...common, setupFilesAfterEnv: ['<rootDir>/test/support/slow-timeout.ts'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...slow, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...slow, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], slowTestThreshold: 30 },
    { ...slow, displayName: 'adversarial', testMatch: ['<rootDir>/test/adversarial/**/*.test.ts'], slowTestThreshold: 30 },
    { ...slow, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.test.ts'], slowTestThreshold: 90 },
  ],
};
