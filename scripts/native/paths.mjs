/**
 * Where `npm run native` reads and writes. The cache lives outside node_modules so that `npm ci`
 * (which deletes node_modules) can't take the 261 MiB wheel, the unpacked libraries or the built
 * binding with it: a re-run then restores them in seconds.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  NAPI_BUILD_VERSION,
  TENSORFLOW_VERSION,
  bindingCacheKey,
  libtensorflowCacheName
} from './plan.mjs'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node'
export const TFJS_NODE_DIR = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node')

/** DIGIT_STUDIO_NATIVE_CACHE overrides the cache folder (CI caches, tests); else the XDG cache. */
export function cacheDir(env = process.env) {
  if (env.DIGIT_STUDIO_NATIVE_CACHE) return env.DIGIT_STUDIO_NATIVE_CACHE
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(base, 'digit-studio', 'native')
}

/**
 * The versions everything is keyed by. tfjs-node's version is the one package.json pins as an
 * optionalDependency, so the JavaScript npm installs and the lockfile's entry agree.
 */
export function pinnedVersions() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const tfjsNode =
    pkg.optionalDependencies?.[TFJS_NODE_PACKAGE] ?? pkg.dependencies?.[TFJS_NODE_PACKAGE]
  if (!tfjsNode || !/^\d+\.\d+\.\d+$/.test(tfjsNode))
    throw new Error(
      `package.json must pin ${TFJS_NODE_PACKAGE} to an exact version (found "${tfjsNode}")`
    )
  return {
    tfjsNode,
    tensorflow: TENSORFLOW_VERSION,
    modules: process.versions.modules,
    napi: NAPI_BUILD_VERSION,
    platform: process.platform,
    arch: process.arch
  }
}

/** Every cache path for these versions. */
export function cachePaths(versions, env = process.env) {
  const dir = cacheDir(env)
  const wheels = join(dir, 'wheels')
  const libtensorflow = join(dir, libtensorflowCacheName(versions))
  const bindingDir = join(dir, 'bindings', bindingCacheKey(versions))
  return {
    dir,
    wheels,
    logs: join(dir, 'logs'),
    libtensorflow,
    /** Written last, after extraction and strip: its presence means the folder is complete. */
    libtensorflowManifest: join(libtensorflow, 'manifest.json'),
    bindingDir,
    binding: join(bindingDir, 'tfjs_binding.node'),
    /** The wheel pip saved, if any (its file name carries python and platform tags). */
    findWheel() {
      if (!existsSync(wheels)) return null
      const name = readdirSync(wheels).find(
        (f) => f.startsWith(`tensorflow_cpu-${versions.tensorflow}-`) && f.endsWith('.whl')
      )
      return name ? join(wheels, name) : null
    }
  }
}
