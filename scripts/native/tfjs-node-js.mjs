/**
 * tfjs-node's JavaScript, without its install script (which downloads libtensorflow and a
 * prebuilt binding from Google storage, and makes npm drop the package when that fails).
 * `--no-save` keeps package.json and package-lock.json as they are: the checkout's declared
 * dependencies don't change, only what sits in node_modules.
 */
import { copyFileSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { SetupError, lastLine, run } from './exec.mjs'
import { ROOT, TFJS_NODE_DIR, TFJS_NODE_PACKAGE } from './paths.mjs'

/** The files `npm install --no-save` must leave alone; checked byte for byte afterwards. */
const DECLARED = ['package.json', 'package-lock.json']

/** True when tfjs-node `version` is in node_modules with every dependency it requires. */
export function tfjsNodeJsPresent(version) {
  let pkg
  try {
    pkg = JSON.parse(readFileSync(join(TFJS_NODE_DIR, 'package.json'), 'utf8'))
  } catch {
    return false
  }
  if (pkg.version !== version) return false
  const fromTfjsNode = createRequire(join(TFJS_NODE_DIR, 'package.json'))
  return Object.keys(pkg.dependencies ?? {}).every((dep) => {
    try {
      fromTfjsNode.resolve(dep)
      return true
    } catch {
      return false
    }
  })
}

/**
 * npm rewrites node_modules/.package-lock.json in place (fs.writeFile). Where node_modules was
 * populated with hard links shared with another checkout (git worktrees, some CI caches), that
 * would change the other checkout's file too; a private copy first keeps the write local.
 */
function unshareHiddenLockfile() {
  const file = join(ROOT, 'node_modules', '.package-lock.json')
  try {
    if (statSync(file).nlink < 2) return
  } catch {
    return
  }
  const copy = `${file}.digit-studio-${process.pid}`
  copyFileSync(file, copy)
  renameSync(copy, file)
}

/** How to start the npm that runs us (npm_execpath under `npm run`), else the one on PATH. */
function npmCommand() {
  const execPath = process.env.npm_execpath
  if (execPath && /npm-cli\.js$/.test(execPath))
    return { command: process.execPath, prefix: [execPath] }
  return { command: 'npm', prefix: [] }
}

/**
 * Puts tfjs-node `version`'s JavaScript into node_modules unless it is already there.
 * Returns a short description for the progress line; throws SetupError with the reason.
 */
export async function ensureTfjsNodeJs(version, log) {
  if (tfjsNodeJsPresent(version)) return `${TFJS_NODE_PACKAGE}@${version} already in node_modules`
  unshareHiddenLockfile()
  const before = DECLARED.map((f) => readFileSync(join(ROOT, f)))
  const { command, prefix } = npmCommand()
  const args = [
    ...prefix,
    'install',
    '--no-save',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    `${TFJS_NODE_PACKAGE}@${version}`
  ]
  const r = await run(command, args, { cwd: ROOT, log })
  // --no-save promises this; if an npm version ever breaks the promise, put the files back.
  const changed = DECLARED.filter((f, i) => !readFileSync(join(ROOT, f)).equals(before[i]))
  for (const f of changed) writeFileSync(join(ROOT, f), before[DECLARED.indexOf(f)])
  if (r.code !== 0) {
    throw new SetupError(
      `\`npm install --no-save --ignore-scripts ${TFJS_NODE_PACKAGE}@${version}\` failed (${lastLine(r.tail)}); it needs the npm registry. Full log: ${log}.`
    )
  }
  if (!tfjsNodeJsPresent(version)) {
    throw new SetupError(
      `npm reported success but ${TFJS_NODE_PACKAGE}@${version} or one of its dependencies is not in node_modules. Full log: ${log}.`
    )
  }
  return `${TFJS_NODE_PACKAGE}@${version} installed${changed.length ? ` (npm changed ${changed.join(', ')}: restored)` : ''}; package.json and package-lock.json unchanged`
}

/** The path tfjs-node's dist/index.js loads the binding from (node-pre-gyp's find()). */
export function bindingPath() {
  const fromTfjsNode = createRequire(join(TFJS_NODE_DIR, 'package.json'))
  return fromTfjsNode('@mapbox/node-pre-gyp').find(join(TFJS_NODE_DIR, 'package.json'))
}
