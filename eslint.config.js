// ESLint flat config: TypeScript-aware recommended rules for every part of the project.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'web/dist-e2e/', 'signal-server/dist/', 'data/', 'test-results/', 'dev-dist/', 'web/src/l10n/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // CLIs, tests and benchmarks print to the console on purpose.
    files: ['signal-server/src/main.ts', 'test/**', 'scripts/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
);
