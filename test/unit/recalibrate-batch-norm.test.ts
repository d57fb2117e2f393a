/**
 * Batch-norm recalibration at the end of an augmented run (issue 11: the `accurate` preset's
 * inference statistics come from plain digits, not the augmented ones training saw). Checked
 * against statistics computed independently, in one go, over the same images.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { PreparedSplit } from '#engine/data/preprocess-data'
import { recalibrateBatchNorm } from '#engine/training/recalibrate-batch-norm'
import { randomValues } from './gradients-check'

beforeAll(() => tf.setBackend('cpu'))

/** conv -> BN -> relu -> pool -> flatten -> dense -> BN -> relu -> dense 10: both BN shapes. */
function model(): tf.Sequential {
  const m = tf.sequential()
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, seed: 1 } as never))
  m.add(tf.layers.batchNormalization({ momentum: 0.9 }))
  m.add(tf.layers.activation({ activation: 'relu' }))
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  m.add(tf.layers.flatten())
  m.add(tf.layers.dense({ units: 6 }))
  m.add(tf.layers.batchNormalization({ momentum: 0.9 }))
  m.add(tf.layers.activation({ activation: 'relu' }))
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }))
  return m
}

/** 300 images of random strokes (bytes), so the statistics are far from BN's initial 0 and 1. */
function split(): PreparedSplit {
  const count = 300
  const noise = randomValues(count * 784, 77)
  const pixels = Uint8Array.from(noise, (v) => (v > 0.4 ? 255 : Math.round((v + 1) * 40)))
  return { pixels, labels: new Uint8Array(count), count }
}

const bnLayers = (m: tf.LayersModel) =>
  m.layers.filter((l) => l.getClassName() === 'BatchNormalization')

describe('recalibrateBatchNorm', () => {
  it('sets each batch norm to the mean and variance of its input over the images', async () => {
    const m = model()
    const data = split()
    // Stale statistics, as augmented batches would leave them.
    for (const layer of bnLayers(m)) {
      const [g, b, mean, variance] = layer.getWeights()
      layer.setWeights([g!, b!, tf.fill(mean!.shape, 5), tf.fill(variance!.shape, 9)])
    }
    expect(await recalibrateBatchNorm(m, data)).toBe(2)
    const all = tf.div(tf.tensor4d(data.pixels, [data.count, 28, 28, 1], 'float32'), 255)
    for (const layer of bnLayers(m)) {
      // Computed after recalibration, so the dense BN's input already uses the conv BN's new stats.
      const upTo = tf.model({ inputs: m.inputs, outputs: layer.input as tf.SymbolicTensor })
      const a = upTo.predict(all) as tf.Tensor
      const axes = a.shape.slice(0, -1).map((_, i) => i)
      const { mean, variance } = tf.moments(a, axes)
      const [, , movingMean, movingVariance] = layer.getWeights()
      const close = (x: tf.Tensor, y: tf.Tensor) =>
        Array.from(x.dataSync()).every(
          (v, i) => Math.abs(v - y.dataSync()[i]!) <= 1e-4 * Math.max(1, Math.abs(v))
        )
      expect(close(movingMean!, mean)).toBe(true)
      expect(close(movingVariance!, variance)).toBe(true)
      // And they really changed from the stale 5 and 9.
      expect(movingVariance!.dataSync()[0]).not.toBeCloseTo(9, 3)
    }
  })

  it('leaves a model without batch norm alone, and stops when asked', async () => {
    const plain = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 })]
    })
    expect(await recalibrateBatchNorm(plain, split())).toBe(0)
    expect(await recalibrateBatchNorm(model(), split(), () => true)).toBe(0)
  })
})
