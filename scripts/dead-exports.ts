/**
 * Dead-export check (`npm run lint`): every `export` under src/ must be used by some other file
 * (source, test, script or config), else the export goes, or the code with it. `--fix` removes the
 * `export` keyword of each one (re-run it after a merge; then delete what is left unused, which
 * TypeScript's noUnusedLocals reports). A word-level check,
 * not a type-aware one: a name used anywhere else counts as used, so it never flags a live export,
 * and may miss a dead one whose name another file happens to share. Chosen over knip, which would
 * bring ~40 packages (with native resolvers) for what this does in a page.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One exported name nothing else mentions. */
export interface DeadExport {
  file: string
  name: string
}

const DECLARATION =
  /^export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm

/** The names a TypeScript file exports by declaration (`export function x`, `export const y`…). */
export function exportedNames(source: string): string[] {
  return [...source.matchAll(DECLARATION)].map((m) => m[1])
}

/**
 * Exports of `definitions` (path -> source) that no other file of `all` (path -> source,
 * definitions included) mentions as a word.
 */
export function findDeadExports(
  definitions: Map<string, string>,
  all: Map<string, string>
): DeadExport[] {
  const filesUsing = new Map<string, Set<string>>()
  for (const [file, source] of all) {
    for (const word of new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? [])) {
      let files = filesUsing.get(word)
      if (!files) filesUsing.set(word, (files = new Set()))
      files.add(file)
    }
  }
  const dead: DeadExport[] = []
  for (const [file, source] of definitions) {
    for (const name of exportedNames(source)) {
      const users = [...(filesUsing.get(name) ?? [])].filter((f) => f !== file)
      if (users.length === 0) dead.push({ file, name })
    }
  }
  return dead
}

const SOURCE = /\.(ts|mts|js|mjs|svelte)$/

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path, out)
    else if (SOURCE.test(entry.name)) out.push(path)
  }
  return out
}

/** Reads the repository at `root` and returns its dead exports (src/ definitions only). */
export function deadExportsIn(root: string): DeadExport[] {
  const read = (paths: string[]): Map<string, string> =>
    new Map(paths.map((p) => [relative(root, p), readFileSync(p, 'utf8')]))
  const users = ['src', 'test', 'scripts', 'build', 'bin'].flatMap((d) => walk(join(root, d)))
  const configs = readdirSync(root)
    .filter((f) => SOURCE.test(f))
    .map((f) => join(root, f))
  const all = read([...users, ...configs])
  const definitions = new Map(
    [...all].filter(([file]) => file.startsWith('src') && /\.m?ts$/.test(file))
  )
  return findDeadExports(definitions, all)
}

/** `source` with the `export` keyword removed from the declaration of each of `names`. */
export function unexport(source: string, names: readonly string[]): string {
  return source.replace(DECLARATION, (match, name: string) =>
    names.includes(name) ? match.replace(/^export\s+/, '') : match
  )
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(import.meta.url), '..', '..')
  const dead = deadExportsIn(root)
  if (process.argv.includes('--fix')) {
    for (const file of new Set(dead.map((d) => d.file))) {
      const names = dead.filter((d) => d.file === file).map((d) => d.name)
      const path = join(root, file)
      writeFileSync(path, unexport(readFileSync(path, 'utf8'), names))
    }
    console.log(`dead-exports: removed ${dead.length} export keyword(s)`)
    process.exit(0)
  }
  for (const d of dead)
    console.error(`${d.file}: "${d.name}" is exported but no other file uses it`)
  if (dead.length > 0) {
    console.error(`dead-exports: ${dead.length} unused export(s): drop the export or the code`)
    process.exit(1)
  }
  console.log('dead-exports: every export under src/ is used')
}
