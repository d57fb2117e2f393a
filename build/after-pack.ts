/**
 * What electron-builder's `afterPack` hook does to the unpacked app before it is signed and wrapped
 * into installers (build/after-pack.mjs calls `afterPack`):
 *  1. repairs tfjs-node's native layout where packaging is known to break it: Linux packages have
 *     lost the `libtensorflow.so.2` symlink (tfjs#3287), and Windows needs `tensorflow.dll` beside
 *     the `napi-v*` addon folder that loads it (tfjs#8354, #8579). Two Linux layouts exist: Google's
 *     (`libtensorflow.so.2.9.1`, the binding loads `libtensorflow.so.2`) and `npm run native`'s
 *     (TensorFlow's pip wheel: the binding loads `libtensorflow_cc.so.2`, with
 *     `libtensorflow.so.2 -> libtensorflow_cc.so.2` as tfjs-node's name for it);
 *  2. flips the Electron fuses (fuses.ts, RELIABILITY S8).
 * tfjs-node is an optionalDependency: where it isn't installed there is nothing to repair.
 */
import {
  copyFileSync,
  existsSync,
  lstatSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync
} from 'node:fs'
import { join } from 'node:path'
import { flipFusesAfterPack, type AfterPackContext } from './fuses'

/** The app's resources folder inside electron-builder's output (where app.asar(.unpacked) live). */
export function resourcesDir(ctx: AfterPackContext): string {
  if (ctx.electronPlatformName === 'darwin' || ctx.electronPlatformName === 'mas') {
    return join(
      ctx.appOutDir,
      `${ctx.packager.appInfo.productFilename}.app`,
      'Contents',
      'Resources'
    )
  }
  return join(ctx.appOutDir, 'resources')
}

/**
 * Recreates the files tfjs-node's addon loads by a name packaging may have dropped. Returns what
 * it created (relative names), for the build log.
 */
export function repairTfjsNode(tfjsNodeDir: string): string[] {
  const created: string[] = []
  const libDir = join(tfjsNodeDir, 'deps', 'lib')
  if (existsSync(libDir)) {
    const files = readdirSync(libDir)
    // libtensorflow.so.2 -> libtensorflow.so.2.9.1 (and the framework library likewise).
    for (const base of ['libtensorflow.so.2', 'libtensorflow_framework.so.2']) {
      const versioned = files
        .filter((f) => f.startsWith(`${base}.`))
        .sort()
        .pop()
      if (!files.includes(base) && versioned) {
        copyFileSync(join(libDir, versioned), join(libDir, base))
        created.push(`deps/lib/${base}`)
      }
    }
    created.push(...repairPipLayout(libDir))
    const dll = join(libDir, 'tensorflow.dll')
    const addonRoot = join(tfjsNodeDir, 'lib')
    if (existsSync(dll) && existsSync(addonRoot)) {
      for (const napi of readdirSync(addonRoot).filter((d) => d.startsWith('napi-v'))) {
        const target = join(addonRoot, napi, 'tensorflow.dll')
        if (!existsSync(target)) {
          copyFileSync(dll, target)
          created.push(`lib/${napi}/tensorflow.dll`)
        }
      }
    }
  }
  return created
}

/**
 * `npm run native`'s layout (libtensorflow from TensorFlow's pip wheel): the real library is
 * `libtensorflow_cc.so.2` (556 MiB) and `libtensorflow.so.2` only a symlink to it. Packaging that
 * dereferences symlinks ships the library twice, and one that drops them loses tfjs-node's name:
 * either way the name becomes a relative symlink again.
 */
function repairPipLayout(libDir: string): string[] {
  const real = 'libtensorflow_cc.so.2'
  const name = join(libDir, 'libtensorflow.so.2')
  if (!existsSync(join(libDir, real))) return []
  const present = existsSync(name)
  if (present && lstatSync(name).isSymbolicLink()) return []
  // A regular file of another size is a library of its own, not a copy: leave it.
  if (present && statSync(name).size !== statSync(join(libDir, real)).size) return []
  if (present) rmSync(name)
  symlinkSync(real, name)
  return [`deps/lib/libtensorflow.so.2 -> ${real}`]
}

/** The whole afterPack step. */
export async function afterPack(
  ctx: AfterPackContext,
  env: NodeJS.ProcessEnv = process.env
): Promise<void> {
  const tfjsNode = join(
    resourcesDir(ctx),
    'app.asar.unpacked',
    'node_modules',
    '@tensorflow',
    'tfjs-node'
  )
  if (existsSync(tfjsNode)) {
    for (const file of repairTfjsNode(tfjsNode))
      console.log(`  • afterPack: restored tfjs-node ${file}`)
  }
  await flipFusesAfterPack(ctx, env)
  console.log(
    `  • afterPack: fuses flipped${env.DIGIT_STUDIO_TEST_BUILD === '1' ? ' (test build: --inspect kept)' : ''}`
  )
}
