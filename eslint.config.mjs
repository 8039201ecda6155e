// Lint: typescript-eslint with type information, plus the module boundary that keeps lambda/core pure.
import tseslint from 'typescript-eslint';

/**
 * One folder's import boundary: `no-restricted-imports` patterns, and (for the pure layers) no
 * `process.env` — settings come in through constructors.
 */
function boundary(files, what, patterns, noEnvironment = true) {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': ['error', { patterns }],
        ...(noEnvironment
          ? {
              'no-restricted-properties': [
                'error',
                { object: 'process', property: 'env', message: `${what}: it reads no environment; the entry points pass settings in.` },
              ],
            }
          : {}),
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      'coverage/**',
      '.bench/**',
      'bin/dist/**',
      '.venv-moto/**',
      '.stryker-tmp/**',
      'reports/**',
      '*.config.js',
      'test/mutation/jest.config.js',
      'eslint.config.mjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The module boundaries: functions → app → ports ← adapters; app → core; lib → core's constants and tables.
  // (test/unit/architecture.test.ts keeps the import graph free of cycles.)
  ...boundary('lambda/core/**/*.ts', 'lambda/core is pure', [
    {
      group: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*'],
      message: 'lambda/core is pure: AWS calls belong in lambda/adapters.',
    },
    { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'net', 'zlib'], message: 'lambda/core does no I/O.' },
    {
      group: ['**/adapters/**', '**/app/**', '**/functions/**', '**/cli/**'],
      message: 'lambda/core depends on nothing outside it.',
    },
  ]),
  ...boundary('lambda/app/**/*.ts', 'the application layer reaches AWS only through its ports', [
    {
      group: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*'],
      message: 'lambda/app reaches AWS through lambda/app/ports.ts, implemented in lambda/adapters.',
    },
    { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'net'], message: 'lambda/app does no I/O of its own: use a port.' },
    {
      group: ['**/adapters/**', '**/functions/**', '**/cli/**'],
      message: 'lambda/app depends on lambda/core and its own ports only; the entry points wire the adapters in.',
    },
  ]),
  ...boundary(
    'lambda/adapters/**/*.ts',
    'adapters implement ports',
    [
      {
        group: ['**/app/*', '!**/app/ports'],
        message: 'An adapter implements a port of lambda/app/ports.ts and depends on nothing else of the application layer.',
      },
      { group: ['**/functions/**', '**/cli/**'], message: 'Adapters are wired by the entry points, never the other way round.' },
    ],
    false,
  ),
  ...boundary(
    'lambda/cli/**/*.ts',
    'the CLI wires like a function',
    [
      {
        group: ['**/functions/responder', '**/functions/sweep', '**/functions/burst-flusher'],
        message: 'Lambda entry points set themselves up on import: the CLI builds its own graph with lambda/functions/wiring.ts.',
      },
    ],
    false,
  ),
  ...boundary(
    'lib/**/*.ts',
    'lib takes only constants and tables from lambda',
    [
      {
        group: ['**/lambda/adapters/**', '**/lambda/app/**', '**/lambda/functions/**', '**/lambda/cli/**'],
        message: 'lib/ imports from lambda/ only lambda/core (constants, schemas, permission tables): NodejsFunction bundles the rest.',
      },
    ],
    false,
  ),
  // bin/ holds the CLI's plain-JavaScript launcher, outside the TypeScript project; so are Stryker's configurations.
  { files: ['bin/**/*.mjs', 'stryker.config.mjs', 'test/mutation/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
