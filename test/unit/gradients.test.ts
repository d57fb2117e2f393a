import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectClose, imageBatch, randomValues, startWasmWithFallback } from './gradients-check'

// Whole training steps on the wasm fallback: the same loss and updates as cpu, no leaked buffers,
// and a batch-norm + dropout model that learns.

beforeAll(startWasmWithFallback)

/** The seed preset's architecture, defined here so the check doesn't depend on models.ts. */
function seedLikeModel(batchNorm: boolean): tf.Sequential {
  const model = tf.sequential()
  model.add(
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' })
  )
  if (batchNorm) model.add(tf.layers.batchNormalization())
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(
    tf.layers.conv2d({
      filters: 16,
      kernelSize: 3,
      activation: 'relu',
      padding: batchNorm ? 'same' : 'valid'
    })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(tf.layers.flatten())
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }))
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }))
  return model
}

/** One SGD step on a fixed batch from fixed weights; returns the loss and each weight's change. */
async function trainStep(
  backendName: string,
  batchNorm: boolean,
  weights: Float32Array[]
): Promise<{ loss: number; deltas: Float32Array[] }> {
  await tf.setBackend(backendName)
  const model = seedLikeModel(batchNorm)
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)))
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
  const { xs, ys } = imageBatch(16, 7)
  const loss = (await model.trainOnBatch(xs, ys)) as number
  const deltas = model.getWeights().map((w, i) => {
    const now = w.dataSync() as Float32Array
    return now.map((v, j) => v - weights[i][j])
  })
  tf.dispose([xs, ys])
  model.dispose()
  return { loss, deltas }
}

describe('a training step on wasm matches cpu', () => {
  for (const batchNorm of [false, true]) {
    it(`seed architecture${batchNorm ? ' with batch normalization' : ''}: same loss and updates`, async () => {
      await tf.setBackend('cpu')
      const initial = seedLikeModel(batchNorm)
      // Seeded Glorot-uniform kernels (the layers' own initialisers are unseeded); biases and
      // batch-norm parameters keep their fixed initial values.
      const weights = initial.getWeights().map((w, i) => {
        if (w.rank < 2) return w.dataSync() as Float32Array
        const fanOut = w.shape[w.rank - 1]
        const fanIn = w.size / fanOut
        const limit = Math.sqrt(6 / (fanIn + fanOut))
        return randomValues(w.size, 900 + i).map((v) => v * limit)
      })
      initial.dispose()
      const onWasm = await trainStep('wasm', batchNorm, weights)
      const onCpu = await trainStep('cpu', batchNorm, weights)
      await tf.setBackend('wasm')
      expect(Number.isFinite(onWasm.loss)).toBe(true)
      expect(Math.abs(onWasm.loss - onCpu.loss)).toBeLessThan(1e-4 * Math.abs(onCpu.loss))
      expect(onWasm.deltas.length).toBe(onCpu.deltas.length)
      onCpu.deltas.forEach((delta, i) => expectClose(onWasm.deltas[i], delta))
      // A step that changed nothing would pass the comparison trivially.
      expect(onCpu.deltas.some((d) => d.some((v) => v !== 0))).toBe(true)
    })
  }

  it('leaks no wasm buffers across training steps (kernels free their intermediates)', async () => {
    await tf.setBackend('wasm')
    const backend = tf.backend() as BackendWasm
    const model = seedLikeModel(true)
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' })
    const { xs, ys } = imageBatch(16, 5)
    await model.trainOnBatch(xs, ys)
    const buffers = backend.numDataIds()
    const tensors = tf.memory().numTensors
    for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys)
    expect(backend.numDataIds()).toBe(buffers)
    expect(tf.memory().numTensors).toBe(tensors)
    tf.dispose([xs, ys])
    model.dispose()
  })

  it('a model with batch normalization and dropout learns a fixed batch on wasm', async () => {
    await tf.setBackend('wasm')
    const model = tf.sequential()
    model.add(
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        useBias: false
      })
    )
    model.add(tf.layers.batchNormalization())
    model.add(tf.layers.activation({ activation: 'relu' }))
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
    model.add(tf.layers.dropout({ rate: 0.25 }))
    model.add(tf.layers.flatten())
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }))
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' })
    const { xs, ys } = imageBatch(32, 11)
    const first = (await model.trainOnBatch(xs, ys)) as number
    let last = first
    for (let i = 0; i < 20; i++) last = (await model.trainOnBatch(xs, ys)) as number
    tf.dispose([xs, ys])
    model.dispose()
    expect(last).toBeLessThan(first * 0.5)
  })
})
