// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
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

/**
 * The rooms and the doors between them. Each zone names a folder (`target`) and the folders its
 * code may not import at all, types included; checked on static and dynamic imports alike.
 */
const roomZones = [
  {
    target: './common',
    from: ['./workflows', './activities', './workers', './client', './fake-llm'],
    message: 'common/ is sandbox-safe and shared by every room: it imports nothing else from the project.',
  },
  {
    target: './workflows',
    from: ['./workers', './client', './fake-llm'],
    message: 'Workflows import only common/, workflows/ and activity types.',
  },
  {
    target: './activities',
    from: ['./workflows', './workers', './client', './fake-llm'],
    message:
      'Activities import only common/ and activities/: start a workflow by its type name, message it through common/messages.ts.',
  },
  {
    target: './client',
    from: ['./activities'],
    message:
      'The client uses the client library, common/ and workers/ (workers/local-tools/ for worker code run here), not activity internals.',
  },
  {
    target: './api',
    from: ['./fake-llm', './scripts', './test'],
    message: 'api/ is the package surface: it re-exports the rooms, never the test server or scripts.',
  },
  {
    target: './fake-llm',
    from: ['./workflows', './workers', './client', './activities'],
    except: ['./llm/scripted'],
    message:
      'The fake server uses the scripted model engine (activities/llm/scripted/) and common/, nothing else.',
  },
];

export default tseslint.config(
  // The lint test's probes (test/lint/room-rules.test.ts) break the rules on purpose.
  {
    ignores: [
      'node_modules/**',
      '.tools/**',
      '.llmos/**',
      'dist/**',
      // Example projects compile against the packed package, with their own tsconfig (the test builds them).
      'examples/*/src/**',
      'examples/*/llmos.config.ts',
      'examples/*/dist/**',
      'coverage/**',
      '**/__room-probe-*__/**',
    ],
  },
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
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: roomZones }],
      // A cycle means two modules are one job split in two, or a job in the wrong room.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
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
    files: ['workflows/**/*.ts', 'common/**/*.ts', 'api/workflow.ts'],
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
    // The client may name workflow types (for typed handles) but never loads workflow code.
    files: ['client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/**'],
              allowTypeImports: true,
              message:
                'The client imports workflow types only (import type); queries and updates are in common/messages.ts.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/\\/workflows\\//]',
          message: 'The client never loads workflow code.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
