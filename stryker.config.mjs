// Mutation testing of the pure core (docs/testing.md#mutation-testing): StrykerJS mutates
// lambda/core/** and runs, for each mutant, only the unit tests that cover it.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: ['lambda/core/**/*.ts'],
  testRunner: 'jest',
  // The unit project's tests of the core (test/mutation/jest.config.js says why not the whole project).
  jest: { projectType: 'custom', configFile: 'test/mutation/jest.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  // A static mutant (code run once, when a module loads: schemas, tables, rule metadata) is covered by
  // every test, so each one costs a run of all the core's tests (≈ 10 s of CPU; there are hundreds).
  // Skipped in the regular run; `npm run test:mutation:static -- --mutate FILE` tests them for one file.
  ignoreStatic: true,
  checkers: ['typescript'],
  tsconfigFile: 'test/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // The machine has 2 cores shared with other work: never more than 2 test runners.
  concurrency: 2,
  // A mutant whose tests run 5 s past 1.5 × their dry-run time made a loop endless: a timeout (detected).
  timeoutMS: 5000,
  // A rerun tests only the mutants whose code or covering tests changed since this file was written.
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
