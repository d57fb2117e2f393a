/** Messages between the data-parallel trainer and its gradient worker (worker_threads). */
import type { ThreadClock } from './thread-clock'

/** Builds the worker's copy of the model from its Keras-style JSON topology. */
interface InitRequest {
  type: 'init'
  modelTopology: object
  /** The shared claim word both threads take a step's chunks from (chunk-claims.ts). */
  claims: SharedArrayBuffer
}

/** Current weights plus the whole batch; the worker computes the chunks it manages to claim. */
export interface StepRequest {
  type: 'step'
  step: number
  weights: Float32Array[]
  xs: Float32Array
  xsShape: [number, number, number, number]
  ys: Float32Array
  ysShape: [number, number]
  /** Chunk boundaries, `[0, …, batch size]`. */
  bounds: number[]
  /** Seeds the dropout masks of each chunk (seeded-dropout.ts); absent: unseeded. */
  dropoutSeed?: number
}

/** The worker's timings of one step, for the trace; absolute times are performance.timeOrigin-based. */
interface WorkerStepTrace {
  receivedAt: number
  repliedAt: number
  uploadMs: number
  gradientsMs: number
  readbackMs: number
  clock: ThreadClock
}

export type WorkerRequest = InitRequest | StepRequest

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | {
      type: 'step'
      step: number
      /** Samples in the chunks the worker claimed (0: it found none left; then no grads). */
      count: number
      chunks: number
      lossSum: number
      accuracySum: number
      /** Per trainable weight, the size-weighted sum of its chunks' gradients. */
      grads: Float32Array[]
      computeMs: number
      /** Only when tracing (DIGIT_STUDIO_TRACE_PARALLEL=1): the worker's side of the step. */
      trace?: WorkerStepTrace
    }
  | { type: 'error'; step?: number; message: string }
