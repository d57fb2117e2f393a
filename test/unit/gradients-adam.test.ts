import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createAdam, FusedAdamOptimizer } from '#engine/backend/kernels/fused-adam'
import { randomValues, startWasmWithFallback } from './gradients-check'

// The fused Adam must make tfjs's Adam updates exactly, and keep state Adam can reload.

beforeAll(startWasmWithFallback)

function model(optimizer: tf.Optimizer): tf.Sequential {
  const m = tf.sequential()
  const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) })
  m.add(
    tf.layers.conv2d({
      inputShape: [12, 12, 1],
      filters: 8,
      kernelSize: 3,
      activation: 'relu',
      ...init(1)
    })
  )
  m.add(tf.layers.flatten())
  // 10 outputs: a bias of 10 values takes the non-SIMD path, the rest the kernel.
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', ...init(2) }))
  m.compile({ optimizer, loss: 'categoricalCrossentropy' })
  return m
}

async function train(m: tf.Sequential): Promise<Float32Array[]> {
  const xs = tf.tensor4d(
    randomValues(16 * 144, 3).map((v) => (v + 1) / 2),
    [16, 12, 12, 1]
  )
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 10),
      'int32'
    ),
    10
  )
  for (let i = 0; i < 4; i++) await m.trainOnBatch(xs, ys)
  tf.dispose([xs, ys])
  return m.getWeights().map((w) => w.dataSync() as Float32Array)
}

describe('FusedAdamOptimizer on wasm', () => {
  it('makes the same updates as tf.train.adam, to the last bit', async () => {
    await tf.setBackend('wasm')
    const stock = model(tf.train.adam(1e-2))
    const fused = model(createAdam(1e-2))
    const initial = fused.getWeights().map((w) => w.dataSync().slice())
    const expected = await train(stock)
    const actual = await train(fused)
    actual.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(expected[i])))
    // The weights did move (4 steps at 1e-2), so the equality above compares real updates.
    actual.forEach((w, i) => expect(Array.from(w)).not.toEqual(Array.from(initial[i])))
    // Same optimizer state, same names (up to layer numbering): checkpoints stay interchangeable.
    const [stockState, fusedState] = await Promise.all([
      stock.optimizer.getWeights(),
      fused.optimizer.getWeights()
    ])
    const strip = (name: string): string => name.replace(/\d+/g, '')
    expect(fusedState.map((w) => strip(w.name))).toEqual(stockState.map((w) => strip(w.name)))
    fusedState.forEach((w, i) =>
      expect(Array.from(w.tensor.dataSync())).toEqual(Array.from(stockState[i].tensor.dataSync()))
    )
    expect(fused.optimizer.getClassName()).toBe('Adam')
    stock.dispose()
    fused.dispose()
  })

  it('is plain Adam on other backends', async () => {
    await tf.setBackend('cpu')
    const m = model(new FusedAdamOptimizer(1e-2, 0.9, 0.999))
    const before = m.getWeights()[0].dataSync().slice()
    const after = await train(m)
    expect(Array.from(after[0])).not.toEqual(Array.from(before))
    m.dispose()
    await tf.setBackend('wasm')
  })
})
