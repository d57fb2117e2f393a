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
  // Import boundaries: the folder picture is the architecture (docs/architecture.md). Renderer,
  // engine and host import only `shared`; main and the CLI import `host` and `shared`; only main
  // and preload import electron. Cross-room imports use the `#room/...` aliases (package.json
  // `imports`), so a relative path climbing out of its room is refused as well.
  ...boundaries([
    { room: 'renderer', may: ['shared'] },
    { room: 'engine', may: ['shared'] },
    { room: 'host', may: ['shared'] },
    { room: 'shared', may: [] },
    { room: 'cli', may: ['host', 'shared'] },
    { room: 'main', may: ['host', 'shared'], electron: true },
    { room: 'preload', may: ['shared'], electron: true }
  ])
)

/**
 * One `no-restricted-imports` block per room of `src/`: the aliases of the rooms it may not use,
 * relative paths that climb into another room, and electron where the room may not have it.
 */
function boundaries(rules) {
  const rooms = ['cli', 'engine', 'host', 'main', 'preload', 'renderer', 'shared']
  return rules.map(({ room, may, electron }) => {
    const banned = rooms.filter((r) => r !== room && !may.includes(r))
    const message = `src/${room} may import only ${may.length ? may.join(', ') : 'itself'}${electron ? ' and electron' : ''} (see docs/architecture.md)`
    const patterns = [
      // A regex, not a group: gitignore-style groups read a leading '#' as a comment.
      { regex: `^#(${banned.join('|')})/`, message },
      // A relative import that climbs out of src/<room> into a sibling room.
      {
        regex: `^(\\.\\./)+(${rooms.filter((r) => r !== room).join('|')})(/|$)`,
        message: `${message}; use the #room/... alias`
      }
    ]
    const paths = electron ? [] : [{ name: 'electron', message }]
    return {
      files: [`src/${room}/**/*.{ts,svelte}`],
      rules: { 'no-restricted-imports': ['error', { paths, patterns }] }
    }
  })
}
