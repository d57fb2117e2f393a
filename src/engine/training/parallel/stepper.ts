/**
 * Chooses the `Stepper` a training run (and bench) uses: the data-parallel trainer where it
 * applies (wasm on 2+ cores), else `trainStep` on the calling thread.
 */
import * as tf from '@tensorflow/tfjs'
import type { EngineEvent } from '#shared/engine-protocol'
import { localStepper, type Stepper } from '../train-step'
import { DataParallelTrainer } from './data-parallel-trainer'

/**
 * Threads asked for: `DIGIT_STUDIO_THREADS=1` forces one (measurements, bit-exact comparisons with
 * a single-thread run); otherwise two where the data-parallel trainer applies.
 */
function requestedThreads(env: NodeJS.ProcessEnv = process.env): 1 | 2 {
  return env.DIGIT_STUDIO_THREADS?.trim() === '1' ? 1 : 2
}

type Log = (level: 'info' | 'warn', message: string) => void

/**
 * The stepper to train `model` with, and how many threads it uses. A worker that fails to start is
 * not an error: training goes on one thread and `log` says why. The caller disposes the stepper.
 */
export async function createStepper(
  model: tf.LayersModel,
  log: Log = () => undefined,
  env: NodeJS.ProcessEnv = process.env
): Promise<{ stepper: Stepper; threads: 1 | 2 }> {
  if (requestedThreads(env) === 2) {
    try {
      const parallel = await DataParallelTrainer.create(model)
      if (parallel) {
        log('info', 'training on 2 threads')
        return { stepper: parallel, threads: 2 }
      }
    } catch (err) {
      log(
        'warn',
        `training on 1 thread: the second thread did not start (${err instanceof Error ? err.message : String(err)})`
      )
      return { stepper: localStepper(model), threads: 1 }
    }
  }
  const why =
    requestedThreads(env) === 1
      ? 'DIGIT_STUDIO_THREADS=1'
      : `${tf.getBackend()} backend, or a single core`
  log('info', `training on 1 thread (${why})`)
  return { stepper: localStepper(model), threads: 1 }
}

/** Adapts an engine event sink to `Log`. */
export function logTo(emit: (e: EngineEvent) => void): Log {
  return (level, message) => emit({ type: 'engine:log', level, message })
}
