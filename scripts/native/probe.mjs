/**
 * Describes this machine for plan.mjs: platform, which tools answer, where Node's headers and
 * npm's node-gyp are, and what the cache already holds. Read-only: nothing is installed here.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pickNodeDir } from './plan.mjs'
import { cachePaths } from './paths.mjs'

/** True when `command args…` runs and exits 0 (a quick probe; output is ignored). */
function answers(command, args) {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 })
  return r.error === undefined && r.status === 0
}

/**
 * npm's bundled node-gyp: `npm run` exports its path as npm_config_node_gyp; otherwise it sits
 * next to the npm that runs us (npm_execpath) or in the global npm folder. Using npm's own copy
 * means nothing has to be installed for the build.
 */
export function findNodeGyp(env = process.env) {
  const candidates = [env.npm_config_node_gyp]
  if (env.npm_execpath) {
    candidates.push(
      join(dirname(dirname(env.npm_execpath)), 'node_modules/node-gyp/bin/node-gyp.js')
    )
  }
  const prefix = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8', timeout: 30_000 })
  if (prefix.status === 0 && prefix.stdout.trim()) {
    const g = prefix.stdout.trim()
    candidates.push(join(g, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'))
    candidates.push(join(g, 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'))
  }
  return candidates.find((c) => c && existsSync(c)) ?? null
}

/** Where Node's headers are: npm_config_nodedir when set, else beside this Node, else the usual prefixes. */
export function findNodeDir(env = process.env) {
  return pickNodeDir(
    [env.npm_config_nodedir, dirname(dirname(process.execPath)), '/usr', '/usr/local'],
    existsSync
  )
}

/** The machine and cache, as plan.mjs's planSetup() takes it. */
export function probeEnvironment(versions) {
  const paths = cachePaths(versions)
  const python3 = answers('python3', ['--version'])
  const cxx = process.env.CXX || 'g++'
  return {
    platform: process.platform,
    arch: process.arch,
    execPath: process.execPath,
    nodeVersion: process.versions.node,
    python3,
    pip: python3 && answers('python3', ['-m', 'pip', '--version']),
    unzip: answers('unzip', ['-v']),
    cxx: answers(cxx, ['--version']) ? cxx : null,
    make: answers('make', ['--version']),
    strip: answers('strip', ['--version']),
    nodeDir: findNodeDir(),
    nodeGyp: findNodeGyp(),
    cache: {
      libtensorflow: existsSync(paths.libtensorflowManifest),
      wheel: paths.findWheel() !== null,
      binding: existsSync(paths.binding)
    }
  }
}
