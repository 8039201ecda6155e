/**
 * The Jest configuration Stryker runs (stryker.config.mjs): the `unit` project of the repository's
 * jest.config.js, narrowed to the core's own tests (test/unit/core/**). Those import nothing but the
 * core, so a mutant costs a fraction of a second; the rest of the unit project loads the AWS SDK in
 * every test file (seconds a mutant on a shared machine), and the score is meant to say what the
 * core's tests pin, not what a test of the responder happens to touch.
 */
const path = require('node:path');
const { projects } = require('../../jest.config.js');

const unit = projects.find((project) => project.displayName === 'unit');
if (!unit) throw new Error('test/mutation/jest.config.js: jest.config.js has no project named "unit"');

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  rootDir: path.resolve(__dirname, '../..'),
  testMatch: ['<rootDir>/test/unit/core/**/*.test.ts'],
};
