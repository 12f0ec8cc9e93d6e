// Flat config: the recommended rules of ESLint and typescript-eslint, plus the
// layering of ARCHITECTURE.md (pure layers may not import the edges).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (from, forbidden) => ({
  files: [`src/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: forbidden.map((f) => ({ group: [`**/${f}/*`, `**/${f}`], message: `src/${from} may not import src/${f} (see ARCHITECTURE.md, layers)` })),
    }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'dist-check/**', 'node_modules/**', '.meshguard/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', crypto: 'readonly', structuredClone: 'readonly', AbortController: 'readonly', fetch: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  layer('config', ['wire', 'policy', 'identity', 'proxy', 'control', 'platform', 'sdk', 'cli']),
  // wire/: the messages control/ and proxy/ exchange, below both so each imports one definition.
  layer('wire', ['policy', 'identity', 'proxy', 'control', 'platform', 'sdk', 'cli']),
  layer('policy', ['identity', 'proxy', 'control', 'platform', 'sdk', 'cli']),
  layer('identity', ['policy', 'proxy', 'control', 'platform', 'sdk', 'cli']),
  layer('proxy', ['control', 'platform', 'sdk', 'cli']),
  layer('control', ['proxy', 'platform', 'sdk', 'cli']),
);
