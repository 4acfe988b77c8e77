// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Modules that must never reach workflow or shared code: they do I/O or break determinism. */
const sandboxForbidden = [
  {
    group: ['node:*'],
    message: 'Workflow and common code runs in the deterministic sandbox: no Node built-ins.',
  },
  { group: ['openai', 'openai/*', '@anthropic-ai/*'], message: 'Provider SDKs belong in activities/.' },
  {
    group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity', '@temporalio/testing'],
    message: 'Only @temporalio/workflow and @temporalio/common are sandbox-safe.',
  },
  {
    group: ['mathjs', 'better-sqlite3', 'pg'],
    message: 'Side-effecting or heavy libraries belong in activities/.',
  },
];
const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'crypto',
  'url',
  'util',
  'events',
  'stream',
  'worker_threads',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.llmos/**', 'dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', 'bin/*.js', 'activities/sql/sqlite-runner.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The import boundary: workflows/ and common/ stay deterministic and sandbox-safe.
    files: ['workflows/**/*.ts', 'common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'No Node built-ins in sandboxed code.' })),
          patterns: [
            ...sandboxForbidden,
            {
              group: ['**/activities/**', '**/workers/**', '**/client/**', '**/fake-llm/**'],
              allowTypeImports: true,
              message: 'Workflows may import activities as types only (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workflows/**'], message: 'common/ imports nothing else from the project.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
