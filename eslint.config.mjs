// Lint: typescript-eslint with type information, plus the module boundary that keeps lambda/core pure.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', '.bench/**', 'bin/dist/**', '*.config.js', 'eslint.config.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is pure: no AWS SDK, no Powertools, no Node I/O, no environment.
    files: ['lambda/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*'],
              message: 'lambda/core is pure: AWS calls belong in lambda/adapters.',
            },
            { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'net'], message: 'lambda/core does no I/O.' },
            {
              group: ['../adapters/*', '../service', '../handler', '../environment'],
              message: 'lambda/core depends on nothing outside it.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'lambda/core reads no environment: the handler passes settings in.' },
      ],
    },
  },
  // bin/ holds the CLI's plain-JavaScript launcher, outside the TypeScript project.
  { files: ['bin/**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
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
