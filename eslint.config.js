// Lint: typescript-eslint's recommended rules, plus the house rules that keep
// pure packages pure and libraries free of console output.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pure = ['packages/raft/src/core/**', 'packages/gossip/src/core/**', 'packages/state/src/**', 'packages/scheduler/src/**', 'packages/controllers/src/reconcile/**'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.tap/**', 'packages/*/bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly', performance: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Deterministic cores: time, randomness and I/O are injected, never reached for.
    files: pure,
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'fetch', 'performance'],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'inject a seeded Rand' },
        { object: 'Date', property: 'now', message: 'inject a clock' },
        { object: 'process', property: 'env', message: 'take config as input' },
      ],
      'no-restricted-imports': ['error', { patterns: ['node:fs*', 'node:net', 'node:dgram', 'node:http*', 'node:child_process', 'fs', 'net', 'dockerode', 'level', '@grpc/*'] }],
    },
  },
  {
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
