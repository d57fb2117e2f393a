/**
 * tfjs-node's native binding (`tfjs_binding.node`), built here with npm's bundled node-gyp
 * against this machine's Node headers and the wheel's libtensorflow, then kept in the cache
 * under a key of everything it depends on: a re-run copies it back instead of compiling.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { SetupError, lastLine, run } from './exec.mjs'
import { NAPI_BUILD_VERSION } from './plan.mjs'

/**
 * Puts the binding at `target` (the path node-pre-gyp's find() gives, which is what tfjs-node
 * loads): from the cache when it has one for these versions, else by building it.
 */
export async function ensureBinding({ paths, env, tfjsNodeDir, target, log }) {
  const moduleDir = dirname(target)
  if (!moduleDir.endsWith(`napi-v${NAPI_BUILD_VERSION}`)) {
    // The cache key assumes napi-v8; a different find() answer means a different tfjs-node setup.
    throw new SetupError(
      `tfjs-node expects its binding at ${target}, not in a napi-v${NAPI_BUILD_VERSION} folder as this script builds it.`
    )
  }
  mkdirSync(moduleDir, { recursive: true })
  if (existsSync(paths.binding)) {
    copyFileSync(paths.binding, target)
    return `copied from the cache (${basename(paths.bindingDir)})`
  }
  const started = Date.now()
  const r = await run(
    process.execPath,
    [
      env.nodeGyp,
      'rebuild',
      `--nodedir=${env.nodeDir}`,
      '--module_name=tfjs_binding',
      `--module_path=${moduleDir}`,
      `--napi_build_version=${NAPI_BUILD_VERSION}`
    ],
    { cwd: tfjsNodeDir, log }
  )
  if (r.code !== 0 || !existsSync(target)) {
    throw new SetupError(
      `building the tfjs-node binding with node-gyp failed (${lastLine(r.tail)}). Full log: ${log}.`
    )
  }
  // The object files are no use once the binding is copied out; tfjs-node's own install has none.
  rmSync(join(tfjsNodeDir, 'build'), { recursive: true, force: true })
  const tmp = `${paths.binding}.tmp-${process.pid}`
  mkdirSync(paths.bindingDir, { recursive: true })
  copyFileSync(target, tmp)
  renameSync(tmp, paths.binding)
  return `built in ${((Date.now() - started) / 1000).toFixed(1)} s with ${env.nodeGyp} (--nodedir=${env.nodeDir}) and cached`
}
