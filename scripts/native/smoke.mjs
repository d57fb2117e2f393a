/**
 * The smoke test: does `require('@tensorflow/tfjs-node')` give the tensorflow backend, which
 * TensorFlow is it, and does a tiny matMul come out right. Also the first and the `--check` step.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ROOT } from './paths.mjs'

const CHILD = fileURLToPath(new URL('./smoke-child.mjs', import.meta.url))

/**
 * Runs smoke-child.mjs in a fresh Node process and returns its report
 * `{ ok, installed, backend?, tensorflow?, tfjsNode?, bindingPath?, error? }`.
 */
export function smokeTest() {
  const r = spawnSync(process.execPath, [CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    // TensorFlow's start-up chatter (oneDNN, cpu feature notes) is not ours to print.
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
    timeout: 120_000,
    maxBuffer: 16 * 2 ** 20
  })
  const line = (r.stdout ?? '').trim().split('\n').at(-1)
  try {
    return JSON.parse(line)
  } catch {
    // No report: the loader crashed the process (an illegal instruction on CPUs without AVX,
    // tfjs#2631, or a library that doesn't match the binding).
    const why = r.signal
      ? `the process died with ${r.signal}`
      : `exit code ${r.status}: ${(r.stderr ?? '').trim().split('\n').at(-1) ?? ''}`
    return { ok: false, installed: true, error: `loading tfjs-node crashed (${why})` }
  }
}

/** One line describing a working native backend. */
export function describeNative(report) {
  return `TensorFlow ${report.tensorflow}, tfjs-node ${report.tfjsNode}, tf.getBackend() = '${report.backend}', matMul [[1,2],[3,4]]x[[5,6],[7,8]] = ${JSON.stringify(report.matMul)}`
}
