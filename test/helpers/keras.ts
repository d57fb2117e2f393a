/**
 * Real Keras for the export tests (issue 14): the virtual environment `scripts/keras-env.mjs` sets
 * up (TensorFlow 2.21's CPU wheel, Keras 3), or the Python in KERAS_PYTHON. Tests that need it
 * skip with the reason when it is missing; setting it up is kept out of the test run (`.ci/run`
 * calls the script first; by hand: `node scripts/keras-env.mjs`).
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const CACHE = join(homedir(), '.cache', 'digit-studio')

/** The Python that has Keras 3, or why there is none. */
export function kerasPython(): { python: string } | { missing: string } {
  const python = process.env.KERAS_PYTHON ?? join(CACHE, 'keras-venv', 'bin', 'python')
  if (existsSync(python)) return { python }
  const why = join(CACHE, 'keras-venv.unavailable')
  const reason = existsSync(why) ? readFileSync(why, 'utf8').trim() : 'not set up'
  return {
    missing: `real Keras unavailable (${reason}); run \`node scripts/keras-env.mjs\` to set it up`
  }
}

/**
 * Loads each model file with `keras.models.load_model` and predicts `x` ([count, 28, 28, 1]
 * float32): one Python process for all files, since importing TensorFlow takes seconds.
 */
export async function kerasPredict(
  python: string,
  files: string[],
  x: Float32Array,
  count: number
): Promise<{ outputs: Record<string, number[]>; kerasVersion: string }> {
  const script = join(import.meta.dirname, 'keras-predict.py')
  const input = JSON.stringify({ files, count, x: Array.from(x) })
  const child = promisify(execFile)(python, [script], {
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '' }
  })
  child.child.stdin!.end(input)
  const { stdout } = await child
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}
