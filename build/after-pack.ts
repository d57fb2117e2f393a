/**
 * What electron-builder's `afterPack` hook does to the unpacked app before it is signed and wrapped
 * into installers (build/after-pack.mjs calls `afterPack`):
 *  1. repairs tfjs-node's native layout where packaging is known to break it: Linux packages have
 *     lost the `libtensorflow.so.2` symlink (tfjs#3287), and Windows needs `tensorflow.dll` beside
 *     the `napi-v*` addon folder that loads it (tfjs#8354, #8579);
 *  2. flips the Electron fuses (fuses.ts, RELIABILITY S8).
 * tfjs-node is an optionalDependency: where it isn't installed there is nothing to repair.
 */
import { copyFileSync, existsSync, readdirSync } from 'node:fs'
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
