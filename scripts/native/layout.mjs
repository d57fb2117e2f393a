/**
 * Lays out tfjs-node's `deps/` the way its binding.gyp and its prebuilt install expect:
 * headers in `deps/include`, libraries and their link names in `deps/lib`. The built binding
 * finds the libraries at run time through its RUNPATH `$ORIGIN/../../deps/lib`.
 */
import { copyFileSync, cpSync, linkSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { libLayout } from './plan.mjs'

/**
 * A hard link where the cache and node_modules share a file system (instant, no extra 600 MiB),
 * else a copy. Never a symbolic link into the cache: packaging copies node_modules, and a link
 * pointing outside it would break there.
 */
function linkOrCopy(from, to) {
  try {
    linkSync(from, to)
    return 'linked'
  } catch {
    copyFileSync(from, to)
    return 'copied'
  }
}

/** Replaces `<tfjsNodeDir>/deps/{include,lib}` with the cached TensorFlow; returns a progress detail. */
export function layOutDeps(libtensorflowDir, tfjsNodeDir) {
  const deps = join(tfjsNodeDir, 'deps')
  const include = join(deps, 'include')
  const lib = join(deps, 'lib')
  // Whatever was there (a failed or foreign install) goes: mixing two TensorFlows can't work.
  rmSync(include, { recursive: true, force: true })
  rmSync(lib, { recursive: true, force: true })
  mkdirSync(lib, { recursive: true })
  cpSync(join(libtensorflowDir, 'include'), include, { recursive: true })
  const { files, links } = libLayout()
  const how = files.map((f) => linkOrCopy(join(libtensorflowDir, 'lib', f), join(lib, f)))
  // Relative links, so the folder can move (packaging) and still resolve.
  for (const { name, target } of links) symlinkSync(target, join(lib, name))
  return `${deps} (libraries ${[...new Set(how)].join('/')} from the cache; ${links.map((l) => `${l.name} -> ${l.target}`).join(', ')})`
}
