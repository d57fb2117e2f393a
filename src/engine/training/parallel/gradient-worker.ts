/**
 * Entry of a gradient worker thread: its own tfjs engine on its own wasm instance (wasm, unlike
 * tfjs-node, loads fine in several threads), a copy of the model, and one job: gradients of the
 * chunks of each batch it manages to claim, at the weights it is sent.
 */
import { parentPort } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../backend/selection'
import { startMemoryTrace } from '../../memory-trace'
import { ChunkClaims } from './chunk-claims'
import { claimedGradients } from './claimed-gradients'
import type { StepRequest, WorkerReply, WorkerRequest } from './protocol'
import { clockDelta, readThreadClock, tracing } from './thread-clock'

const TRACE = tracing()
const absoluteNow = (): number => performance.timeOrigin + performance.now()

let model: tf.LayersModel | null = null
let claims: ChunkClaims | null = null

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer)
}

function step(request: StepRequest): void {
  if (model === null || claims === null) throw new Error('gradient worker: step before init')
  const started = performance.now()
  const receivedAt = absoluteNow()
  const clock0 = TRACE ? readThreadClock() : null
  const weights = model.trainableWeights
  weights.forEach((w, i) => {
    const value = tf.tensor(request.weights[i], w.read().shape)
    w.write(value)
    value.dispose()
  })
  const xs = tf.tensor4d(request.xs, request.xsShape)
  const ys = tf.tensor2d(request.ys, request.ysShape)
  const uploaded = performance.now()
  let result: ReturnType<typeof claimedGradients>
  try {
    result = claimedGradients(
      model,
      xs,
      ys,
      request.bounds,
      claims,
      request.step,
      request.dropoutSeed
    )
  } finally {
    tf.dispose([xs, ys])
  }
  const computed = performance.now()
  // Read out here, not returned out of a tf.tidy: tidy walks its result, element by element for
  // typed arrays (measured: 30 ms a step for the seed model's 225k gradient values).
  const grads = (result.gradSums ?? []).map((g) => g.dataSync() as Float32Array)
  tf.dispose(result.gradSums ?? [])
  const done = performance.now()
  const trace = clock0
    ? {
        receivedAt,
        repliedAt: absoluteNow(),
        uploadMs: uploaded - started,
        gradientsMs: computed - uploaded,
        readbackMs: done - computed,
        clock: clockDelta(clock0, readThreadClock())
      }
    : undefined
  post(
    {
      type: 'step',
      step: request.step,
      count: result.count,
      chunks: result.chunks,
      lossSum: result.lossSum,
      accuracySum: result.accuracySum,
      grads,
      computeMs: done - started,
      trace
    },
    grads.map((g) => g.buffer as ArrayBuffer)
  )
}

parentPort?.on('message', (request: WorkerRequest) => {
  void (async () => {
    try {
      if (request.type === 'init') {
        const choice = await selectBackend('wasm')
        model = await tf.models.modelFromJSON(
          request.modelTopology as Parameters<typeof tf.models.modelFromJSON>[0]
        )
        claims = new ChunkClaims(request.claims)
        startMemoryTrace('gradient-worker')
        post({ type: 'ready', backend: choice.name })
      } else {
        step(request)
      }
    } catch (err) {
      post({
        type: 'error',
        step: request.type === 'step' ? request.step : undefined,
        message: err instanceof Error ? err.message : String(err)
      })
    }
  })()
})
