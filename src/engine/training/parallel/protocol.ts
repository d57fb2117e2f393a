/** Messages between the data-parallel trainer and its gradient worker (worker_threads). */

/** Builds the worker's copy of the model from its Keras-style JSON topology. */
interface InitRequest {
  type: 'init'
  modelTopology: object
}

/** Current weights plus this worker's share of the batch; answered by a StepReply. */
export interface StepRequest {
  type: 'step'
  weights: Float32Array[]
  xs: Float32Array
  xsShape: [number, number, number, number]
  ys: Float32Array
  ysShape: [number, number]
}

export type WorkerRequest = InitRequest | StepRequest

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'step'; loss: number; accuracy: number; grads: Float32Array[]; computeMs: number }
  | { type: 'error'; message: string }
