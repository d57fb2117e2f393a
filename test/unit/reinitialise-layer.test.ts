import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { createAccurateModel, createSeedModel } from '#engine/training/models'
import { reinitialiseLayer } from '../fixtures/reinitialise-layer'
import { testBackend } from '../helpers/engine'

// The model-randomisation check is only as good as its randomisation: each layer must be drawn
// again from its own initializer (Adebayo et al.), not from the weights it trained to, and not
// back to the exact weights it started from.

beforeAll(async () => {
  await selectBackend(testBackend())
})

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync())

describe('reinitialiseLayer', () => {
  it('draws a dense layer again from its Glorot-uniform kernel and zero bias, repeatably by seed', () => {
    const model = createSeedModel({ seed: 42 })
    const dense = model.layers[model.layers.length - 1]
    const started = dense.getWeights().map(values)
    dense.setWeights(dense.getWeights().map((w) => tf.onesLike(w)))
    reinitialiseLayer(dense, 7)
    const [kernel, bias] = dense.getWeights().map(values)
    // Glorot uniform for 128 -> 10: U(-limit, limit), limit = sqrt(6 / (128 + 10)).
    const limit = Math.sqrt(6 / (128 + 10))
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit)
    const std = Math.sqrt(kernel.reduce((s, k) => s + k * k, 0) / kernel.length)
    expect(std).toBeCloseTo(limit / Math.sqrt(3), 1)
    expect(bias.every((b) => b === 0)).toBe(true)
    // Not the model's own starting weights: those are what training moved away from.
    expect(kernel).not.toEqual(started[0])
    reinitialiseLayer(dense, 7)
    expect(values(dense.getWeights()[0])).toEqual(kernel)
    reinitialiseLayer(dense, 8)
    expect(values(dense.getWeights()[0])).not.toEqual(kernel)
    model.dispose()
  })

  it('resets batch norm to its own initializers (gamma and moving variance 1, beta and moving mean 0)', () => {
    const model = createAccurateModel({ seed: 1 })
    const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!
    bn.setWeights(bn.getWeights().map((w) => tf.fill(w.shape, 3)))
    reinitialiseLayer(bn, 1)
    const byName = Object.fromEntries(
      bn.weights.map((w, i) => [w.originalName.split('/').pop(), values(bn.getWeights()[i])])
    )
    expect(new Set(byName.gamma)).toEqual(new Set([1]))
    expect(new Set(byName.beta)).toEqual(new Set([0]))
    expect(new Set(byName.moving_mean)).toEqual(new Set([0]))
    expect(new Set(byName.moving_variance)).toEqual(new Set([1]))
    model.dispose()
  })
})
