// ESLint flat config: JS + typescript-eslint recommended for every .ts, eslint-plugin-svelte for
// components (parsed with the TS parser), Node globals for main/engine/CLI/tests and browser
// globals for the renderer. Formatting is Prettier's job, so no stylistic rules here.
import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'coverage/**',
      '**/*.tsbuildinfo'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node }
    },
    rules: {
      // `_name` marks a parameter a signature needs but the body doesn't.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,svelte}', 'test/component/**/*.ts', 'test/e2e/bridge-page.ts'],
    languageOptions: {
      globals: { ...globals.browser }
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.svelte']
      }
    },
    rules: {
      // State classes keep plain Maps/Sets as private caches and publish new values through
      // `$state.raw` (replace, don't mutate: DESIGN.md); SvelteMap would make every cache reactive.
      'svelte/prefer-svelte-reactivity': 'off'
    }
  },
  {
    // The engine runs in a plain Node process under every host: it must never reach for Electron.
    files: [
      'src/main/engine/**/*.ts',
      'src/shared/**/*.ts',
      'src/cli/**/*.ts',
      'src/preload/api.ts'
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'engine/shared/CLI code must not import electron' }]
        }
      ]
    }
  }
)
