import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * The URL to start a worker thread on for the entry `name` beside the calling module (`base`, its
 * import.meta.url). Built, it is `name.js` beside the bundle. Run from source (CLI, tests), Node
 * 20 doesn't pass tsx's loader on to worker threads, so a one-line ESM bootstrap registers tsx in
 * the thread and then imports the TypeScript entry.
 */
export function threadEntry(name: string, base: string): URL {
  const fromSource = base.endsWith('.ts')
  const entry = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, base)
  if (!fromSource) return entry
  const tsxApi =
    typeof import.meta.resolve === 'function'
      ? import.meta.resolve('tsx/esm/api')
      : // Test runners may not provide import.meta.resolve; this is the path tsx's exports map names.
        pathToFileURL(
          join(
            dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
            'dist/esm/api/index.mjs'
          )
        ).href
  const code = `import { register } from ${JSON.stringify(tsxApi)}\nregister()\nawait import(${JSON.stringify(entry.href)})\n`
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`)
}
