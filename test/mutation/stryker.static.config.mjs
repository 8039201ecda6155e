// The static mutants the regular run skips (stryker.config.mjs: `ignoreStatic`), for the files named
// with --mutate: each one runs every test of the core (test/mutation/jest.config.js). Not incremental;
// reports to reports/mutation-static/.
import base from '../../stryker.config.mjs';

export default {
  ...base,
  ignoreStatic: false,
  incremental: false,
  jsonReporter: { fileName: 'reports/mutation-static/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation-static/mutation.html' },
};
