/**
 * Loads tfjs-node the way the engine does and does one small computation; prints one JSON line.
 * Runs in its own process (smoke.mjs starts it): tfjs-node can't be loaded twice in a process
 * (tfjs#8388), and a broken libtensorflow may crash the loader, which must not take the setup
 * script with it.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ROOT, TFJS_NODE_DIR, TFJS_NODE_PACKAGE } from './paths.mjs'

const report = (r) => process.stdout.write(JSON.stringify(r) + '\n')

try {
  const require = createRequire(join(ROOT, 'package.json'))
  let tf
  try {
    tf = require(TFJS_NODE_PACKAGE)
  } catch (err) {
    if (
      err?.code === 'MODULE_NOT_FOUND' &&
      String(err.message).includes(`'${TFJS_NODE_PACKAGE}'`)
    ) {
      report({ ok: false, installed: false, error: 'tfjs-node is not installed' })
      process.exit(0)
    }
    throw err
  }
  await tf.ready()
  const backend = tf.getBackend()
  // The binding tfjs-node loaded: the same file its dist/index.js resolves through node-pre-gyp.
  const fromTfjsNode = createRequire(join(TFJS_NODE_DIR, 'package.json'))
  const bindingPath = fromTfjsNode('@mapbox/node-pre-gyp').find(join(TFJS_NODE_DIR, 'package.json'))
  const tensorflow = fromTfjsNode(bindingPath).TF_Version
  const product = tf.tidy(() =>
    tf
      .matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4]
        ]),
        tf.tensor2d([
          [5, 6],
          [7, 8]
        ])
      )
      .arraySync()
  )
  const expected = [
    [19, 22],
    [43, 50]
  ]
  const matMulOk = JSON.stringify(product) === JSON.stringify(expected)
  report({
    ok: backend === 'tensorflow' && matMulOk,
    installed: true,
    backend,
    tensorflow,
    tfjsNode: tf.version['tfjs-node'],
    bindingPath,
    matMul: product,
    error:
      backend !== 'tensorflow'
        ? `tf.getBackend() is "${backend}", not "tensorflow"`
        : matMulOk
          ? undefined
          : `matMul gave ${JSON.stringify(product)}, expected ${JSON.stringify(expected)}`
  })
} catch (err) {
  const message = err instanceof Error ? err.message : String(err)
  report({ ok: false, installed: true, error: message.split('\n')[0] })
}
