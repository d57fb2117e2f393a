#!/usr/bin/env node
/**
 * Runs after `npm install` in this project. Two optional pieces need downloads from outside the
 * npm registry: the Electron runtime (electron 45+ has no install script of its own, so we call
 * its installer) and tfjs-node's libtensorflow (tfjs-node's own install script, allowed in
 * package.json `allowScripts`). Where they can't be fetched, print ONE line each saying what is
 * missing, what still works and how to get it later, and exit 0: the CLI, the tests and the
 * wasm fallback need neither.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ELECTRON_DIR, ROOT, electronExecutable } from './electron-runtime.mjs'

const TFJS_NODE_DIR = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node')
/** The reachability probe must never hold up `npm install`. */
const PROBE_TIMEOUT_MS = 5_000
/** The runtime is ~100 MB; give a slow line time, but never hang forever. */
const INSTALL_TIMEOUT_MS = 10 * 60_000
/** Electron's installer (@electron/get 5) declares Node >= 22.12. */
const INSTALLER_MIN_NODE = [22, 12]

const say = (line) => console.log(`digit-studio: ${line}`)
const LATER =
  'to get it later, run `npx install-electron --no` (or `node node_modules/electron/install.js`) with internet, on Node >= 22.12'
const STILL_WORKS =
  'the CLI (`npx digit-studio info|train|classify`), `npm test` (Chromium) and the wasm fallback work without it'

function nodeIsAtLeast([major, minor]) {
  const [m, n] = process.versions.node.split('.').map(Number)
  return m > major || (m === major && n >= minor)
}

/** Where the installer downloads from: ELECTRON_MIRROR when set, else GitHub releases. */
function downloadOrigin() {
  const mirror = process.env.ELECTRON_MIRROR || process.env.npm_config_electron_mirror
  try {
    return new URL(mirror || 'https://github.com/electron/electron/releases').origin
  } catch {
    return 'https://github.com'
  }
}

/** A quick HEAD to the download server; any HTTP answer counts as reachable. */
async function reachable(origin) {
  // Behind a proxy Node's fetch can't tell (it ignores proxy variables): let the installer try.
  if (process.env.HTTPS_PROXY || process.env.https_proxy || process.env.ELECTRON_GET_USE_PROXY)
    return true
  try {
    await fetch(origin, {
      method: 'HEAD',
      redirect: 'manual',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS)
    })
    return true
  } catch {
    return false
  }
}

/** Runs Electron's own installer with a hard time limit; resolves with its exit code. */
function runElectronInstaller() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ELECTRON_DIR, 'install.js')], {
      stdio: 'inherit',
      cwd: ELECTRON_DIR
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS)
    child.on('error', () => resolve(1))
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(code ?? 1)
    })
  })
}

async function ensureElectron() {
  if (!existsSync(join(ELECTRON_DIR, 'install.js'))) return // not installed (e.g. --omit=dev)
  if (electronExecutable() !== null) return
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return say(
      `Electron runtime not installed (ELECTRON_SKIP_BINARY_DOWNLOAD is set); ${STILL_WORKS}; ${LATER}.`
    )
  }
  // DIGIT_STUDIO_POSTINSTALL_ANY_NODE lets the tests reach the network branch on older Node.
  if (!nodeIsAtLeast(INSTALLER_MIN_NODE) && !process.env.DIGIT_STUDIO_POSTINSTALL_ANY_NODE) {
    return say(
      `Electron runtime not installed (its installer needs Node >= 22.12, this is ${process.versions.node}); ${STILL_WORKS}; ${LATER}.`
    )
  }
  const origin = downloadOrigin()
  if (!(await reachable(origin))) {
    return say(
      `Electron runtime not installed (${origin} is not reachable); ${STILL_WORKS}; ${LATER}.`
    )
  }
  const code = await runElectronInstaller()
  if (code !== 0 || electronExecutable() === null) {
    say(
      `Electron runtime not installed (its installer failed, exit ${code}); ${STILL_WORKS}; ${LATER}.`
    )
  }
}

/** tfjs-node installs libtensorflow from its own install script; report when that didn't happen. */
function reportTfjsNode() {
  const how =
    'with internet, run `npm install @tensorflow/tfjs-node` to get the native backend (on Linux x64 without Google storage: `npm run native`)'
  if (!existsSync(join(TFJS_NODE_DIR, 'package.json'))) {
    return say(
      `tfjs-node (native libtensorflow) not installed; the engine uses the wasm fallback (slower, same results); ${how}.`
    )
  }
  const lib = join(TFJS_NODE_DIR, 'lib')
  const hasBinding =
    existsSync(lib) &&
    readdirSync(lib).some(
      (d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node'))
    )
  if (!hasBinding) {
    say(
      `tfjs-node is installed but its native binding is missing (its install script did not run or could not download libtensorflow); the engine uses the wasm fallback; ${how}.`
    )
  }
}

try {
  await ensureElectron()
  reportTfjsNode()
} catch (err) {
  // Never fail `npm install` over optional extras.
  say(`postinstall check skipped: ${err instanceof Error ? err.message : String(err)}`)
}
