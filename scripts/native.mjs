#!/usr/bin/env node
/**
 * `npm run native`: gives this checkout tfjs-node's native backend on Linux x64 without Google
 * storage. tfjs-node's JavaScript comes from npm without its install script, libtensorflow from
 * TensorFlow's pip wheel, and the binding is compiled here with npm's own node-gyp; everything
 * big is cached outside node_modules, so running it again after `npm ci` takes seconds.
 *
 * Where tfjs-node's own install worked, that stays: this script sees it load and stops. Where it
 * can't work, it says why in one paragraph, with the alternative, and exits 1.
 *
 * `--check` changes nothing: exit 0 when the native backend loads, else 1 with the reason (CI).
 */
import { mkdirSync } from 'node:fs'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinding } from './native/binding.mjs'
import { SetupError } from './native/exec.mjs'
import { layOutDeps } from './native/layout.mjs'
import { ensureLibtensorflow } from './native/libtensorflow.mjs'
import { cachePaths, pinnedVersions, TFJS_NODE_DIR } from './native/paths.mjs'
import { ALTERNATIVE, planSetup } from './native/plan.mjs'
import { probeEnvironment } from './native/probe.mjs'
import { describeNative, smokeTest } from './native/smoke.mjs'
import { bindingPath, ensureTfjsNodeJs } from './native/tfjs-node-js.mjs'

const fail = (paragraph) => {
  console.error(paragraph)
  process.exit(1)
}

/** Who set up a working tfjs-node: this script leaves the wheel's libtensorflow_cc.so.2 in deps/lib. */
const origin = () =>
  existsSync(join(TFJS_NODE_DIR, 'deps', 'lib', 'libtensorflow_cc.so.2'))
    ? 'set up by `npm run native`'
    : "tfjs-node's own install"

const before = smokeTest()
if (process.argv.includes('--check')) {
  if (before.ok) {
    console.log(`native backend loads (${origin()}): ${describeNative(before)}`)
    process.exit(0)
  }
  fail(
    `native backend unavailable: ${before.installed ? `tfjs-node does not load (${before.error})` : 'tfjs-node is not installed'}. On Linux x64, \`npm run native\` sets it up from TensorFlow's pip wheel without Google storage. ${ALTERNATIVE}`
  )
}
if (before.ok) {
  console.log(
    `native: tfjs-node already loads (${origin()}): ${describeNative(before)}. Nothing to do.`
  )
  process.exit(0)
}

const versions = pinnedVersions()
const paths = cachePaths(versions)
const env = probeEnvironment(versions)
const plan = planSetup(env)
if (!plan.ok) fail(plan.reason)

mkdirSync(paths.logs, { recursive: true })
const log = join(paths.logs, `native-${new Date().toISOString().replace(/[:.]/g, '-')}.log`)
const detailOf = {
  platform: () =>
    `${env.platform}-${env.arch}, Node ${process.versions.node} (ABI ${versions.modules})`,
  tools: () =>
    [
      env.python3 ? `python3${env.pip ? ' + pip' : ''}` : null,
      env.cxx ? `${env.cxx} + make` : null,
      env.nodeDir ? `Node headers in ${env.nodeDir}/include/node` : null,
      env.strip ? 'strip' : null
    ]
      .filter(Boolean)
      .join(', ') + (env.cache.binding ? ' (binding cached: no compiler needed)' : ''),
  'tfjs-node': () => ensureTfjsNodeJs(versions.tfjsNode, log),
  libtensorflow: () => ensureLibtensorflow(paths, env, log),
  layout: () => layOutDeps(paths.libtensorflow, TFJS_NODE_DIR),
  binding: () =>
    ensureBinding({ paths, env, tfjsNodeDir: TFJS_NODE_DIR, target: bindingPath(), log }),
  smoke: () => {
    const after = smokeTest()
    if (!after.ok) throw new SetupError(`the smoke test failed: ${after.error}. Full log: ${log}.`)
    return describeNative(after)
  }
}

const startedAll = Date.now()
for (const [i, step] of plan.steps.entries()) {
  // The label goes out before the work, so a long step (the wheel, the build) shows what it is doing.
  process.stdout.write(`native [${i + 1}/${plan.steps.length}] ${step.label}: `)
  const started = Date.now()
  try {
    const detail = await detailOf[step.id]()
    const seconds = (Date.now() - started) / 1000
    console.log(seconds >= 0.1 ? `${detail} (${seconds.toFixed(1)} s)` : detail)
  } catch (err) {
    console.log('failed')
    const why = err instanceof SetupError ? err.message : `unexpected error: ${err?.stack ?? err}`
    fail(
      `npm run native could not set up the native backend (step "${step.label}"): ${why} ${ALTERNATIVE}`
    )
  }
}
console.log(
  `native: done in ${((Date.now() - startedAll) / 1000).toFixed(1)} s; the engine now picks tfjs-node (check: \`DIGIT_STUDIO_BACKEND=native npx digit-studio info --json\`). Cache: ${paths.dir}`
)
