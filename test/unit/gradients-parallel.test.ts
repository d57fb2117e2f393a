import { availableParallelism } from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { DataParallelTrainer } from '#engine/training/parallel/data-parallel-trainer'
import { batchGradients } from '#engine/training/parallel/batch-gradients'
import { createStepper } from '#engine/training/parallel/stepper'

// The two-thread trainer must make the same update as one thread on the whole batch: gradients of
// the two halves, weighted by their sizes, average to the gradient of the whole batch's mean loss.

function smallCnn(): tf.Sequential {
  const model = tf.sequential()
  model.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 8,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 })
    })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(tf.layers.flatten())
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 })
    })
  )
  // Plain SGD: the update is exactly -lr * gradient, so weight changes compare gradients.
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' })
  return model
}

function batch(n: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.tidy(() => tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D)
  const ys = tf.tidy(
    () =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: n }, (_, i) => (i * 7) % 10),
          'int32'
        ),
        10
      ) as tf.Tensor2D
  )
  return { xs, ys }
}

let trainer: DataParallelTrainer | null = null
let model: tf.Sequential

beforeAll(async () => {
  await selectBackend('wasm')
  model = smallCnn()
  if (multiCore) trainer = await DataParallelTrainer.create(model)
})

afterAll(async () => {
  await trainer?.dispose()
  model?.dispose()
})

// The trainer exists for 2+ cores; on one core create() returns null by design, so there is
// nothing to check and the suite is reported as skipped.
const multiCore = availableParallelism() >= 2

describe.skipIf(!multiCore)('DataParallelTrainer (needs 2+ cores)', () => {
  it('starts a worker on a machine with two cores and the wasm backend', () => {
    expect(trainer).not.toBeNull()
  })

  it('makes the same update as one thread on the whole batch', async () => {
    const { xs, ys } = batch(40)
    const before = model.getWeights().map((w) => w.dataSync().slice())
    // Reference: gradients of the whole batch on this thread, the update SGD would make.
    const reference = batchGradients(model, xs, ys)
    const expected = reference.grads.map((g, i) => {
      const grad = g.dataSync()
      return before[i].map((w, j) => w - 0.5 * grad[j])
    })
    tf.dispose(reference.grads)

    const result = await (trainer as DataParallelTrainer).step(xs, ys)
    expect(Math.abs(result.loss - reference.loss)).toBeLessThan(1e-5)
    expect(Math.abs(result.accuracy - reference.accuracy)).toBeLessThan(1e-6)
    const after = model.getWeights().map((w) => w.dataSync())
    after.forEach((values, i) => {
      let worst = 0
      let moved = 0
      for (let j = 0; j < values.length; j++) {
        worst = Math.max(worst, Math.abs(values[j] - expected[i][j]))
        moved = Math.max(moved, Math.abs(values[j] - before[i][j]))
      }
      expect(moved).toBeGreaterThan(0)
      expect(worst).toBeLessThan(1e-5)
    })
    tf.dispose([xs, ys])
  })

  it('leaves no tensors behind', async () => {
    const { xs, ys } = batch(32)
    await (trainer as DataParallelTrainer).step(xs, ys)
    const count = tf.memory().numTensors
    for (let i = 0; i < 3; i++) await (trainer as DataParallelTrainer).step(xs, ys)
    expect(tf.memory().numTensors).toBe(count)
    tf.dispose([xs, ys])
  })
})

describe('the loss both paths optimise', () => {
  it('is not clipped: a true-class probability of 0 gives an infinite loss (NAN_LOSS), not ~16', () => {
    const m = tf.sequential()
    m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }))
    m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: 'zeros' }))
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
    // Softmax of [1000, 0, ...]: class 0 gets 1, every other class underflows to 0.
    const [kernel] = m.getWeights()
    const bias = tf.tensor1d([1000, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    m.setWeights([kernel, bias])
    const { xs, ys } = batch(4) // labels 0, 7, 4, 1: three of four have probability 0
    const out = batchGradients(m, xs, ys)
    expect(out.loss).toBe(Infinity)
    tf.dispose([xs, ys, bias, ...out.grads])
    m.dispose()
  })
})

describe('createStepper', () => {
  it('trains on one thread with DIGIT_STUDIO_THREADS=1 and says so', async () => {
    const logs: string[] = []
    const { stepper, threads } = await createStepper(
      model,
      (_level, message) => logs.push(message),
      { DIGIT_STUDIO_THREADS: '1' }
    )
    expect(threads).toBe(1)
    expect(logs).toEqual(['training on 1 thread (DIGIT_STUDIO_THREADS=1)'])
    await stepper.dispose()
  })

  it.skipIf(!multiCore)('trains on two threads on wasm with 2+ cores', async () => {
    const logs: string[] = []
    const { stepper, threads } = await createStepper(model, (_l, message) => logs.push(message), {})
    expect(threads).toBe(2)
    expect(logs).toEqual(['training on 2 threads'])
    const { xs, ys } = batch(32)
    const r = await stepper.step(xs, ys)
    expect(Number.isFinite(r.loss)).toBe(true)
    tf.dispose([xs, ys])
    await stepper.dispose()
  })
})
