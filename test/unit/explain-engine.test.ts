import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { loadDataset } from '#engine/data/datasets'
import { anatomyOf, explainDigit, saliencyMap, unitPixels } from '#engine/explain/explain-digit'
import { forwardPass } from '#engine/explain/forward'
import { buildInsideSnapshot } from '#engine/explain/inside-snapshots'
import { describeAnatomy } from '#engine/explain/model-anatomy'
import { loadModelFromDir } from '#engine/store/model-store'
import { createAccurateModel, createFastModel, createSeedModel } from '#engine/training/models'
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS, IMAGE_SIZE } from '#shared/mnist'
import { EXPLAIN_METHODS } from '#shared/protocol/explain'
import { ensureExplainModel } from '../fixtures/explain-model'
import { testBackend } from '../helpers/engine'

// The explain engine in this process on the test backend (`DIGIT_STUDIO_BACKEND`: the wasm
// fallback with the project's gradient kernels, or native in `npm run test:native`): anatomy from any sequential model, activations against tf.model, IG completeness,
// contrast linearity, and no tensor left behind. The sanity checks of the maps are in
// explain-sanity.test.ts.

let trained: tf.LayersModel
let digits: Uint8Array[]

beforeAll(async () => {
  const dir = await ensureExplainModel()
  await selectBackend(testBackend())
  trained = (await loadModelFromDir(dir)).model
  const { test } = await loadDataset({ kind: 'embedded' })
  digits = [0, 1, 2].map((i) => test.images.slice(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS))
}, 600_000)

describe('model anatomy', () => {
  it('finds the conv blocks, first conv and hidden dense layer of every preset', () => {
    const seed = describeAnatomy(createSeedModel({ seed: 1 }))
    expect(seed.convBlocks.map((b) => b.layer.getClassName())).toEqual(['Conv2D', 'Conv2D'])
    expect(seed.hiddenDense?.layer.getConfig()).toMatchObject({ units: 128 })
    expect(seed.softmax).toBe('dense-softmax')
    const fast = describeAnatomy(createFastModel({ seed: 1 }))
    expect(fast.convBlocks).toHaveLength(2)
    expect(fast.hiddenDense).toBeNull()
    const accurate = describeAnatomy(createAccurateModel({ seed: 1 }))
    expect(accurate.convBlocks).toHaveLength(4)
    // A conv block is shown after its batch norm and ReLU: the conv, BN, Activation triple.
    const first = accurate.convBlocks[0]
    expect(accurate.chain[first.outputIndex].getClassName()).toBe('Activation')
    expect(accurate.chain[accurate.hiddenDense!.outputIndex].getClassName()).toBe('Activation')
  })

  it('works for an architecture that is no preset, and refuses a branching model by name', () => {
    const custom = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] }),
        tf.layers.dense({ units: 32, activation: 'tanh' }),
        tf.layers.dense({ units: 16 }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dense({ units: 10 }),
        tf.layers.activation({ activation: 'softmax' })
      ]
    })
    const anatomy = describeAnatomy(custom)
    expect(anatomy.convBlocks).toEqual([])
    expect(anatomy.softmax).toBe('softmax-layer')
    expect(anatomy.hiddenDense?.layer.getConfig()).toMatchObject({ units: 16 })
    const e = explainDigit(custom, unitPixels(digits[0]), { method: 'ig' })
    expect(e.filters).toBeNull()
    expect(e.layers.map((l) => l.shape)).toEqual([[16]])
    custom.dispose()

    const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1] })
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor
    const a = tf.layers.dense({ units: 8 }).apply(flat) as tf.SymbolicTensor
    const b = tf.layers.dense({ units: 8 }).apply(flat) as tf.SymbolicTensor
    const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor
    const out = tf.layers
      .dense({ units: 10, activation: 'softmax' })
      .apply(sum) as tf.SymbolicTensor
    const branching = tf.model({ inputs: input, outputs: out, name: 'branchy' })
    expect(() => describeAnatomy(branching)).toThrow(EngineError)
    expect(() => describeAnatomy(branching)).toThrow(/branchy.*sequential/)
    branching.dispose()
  })
})

describe('activations', () => {
  it('equal the intermediate outputs of a tf.model over the same layers (seed trained, accurate with BN)', () => {
    const accurate = createAccurateModel({ seed: 3 })
    for (const model of [trained, accurate]) {
      const anatomy = anatomyOf(model)
      const x = tf.tensor4d(unitPixels(digits[1]), [1, IMAGE_SIZE, IMAGE_SIZE, 1])
      const probe = tf.model({
        inputs: model.inputs,
        outputs: anatomy.chain.map((l) => l.output as tf.SymbolicTensor)
      })
      const expected = probe.predict(x) as tf.Tensor[]
      tf.tidy(() => {
        const pass = forwardPass(anatomy, x)
        pass.outputs.forEach((out, i) => {
          expect(out.shape).toEqual(expected[i].shape)
          const diff = tf.max(tf.abs(tf.sub(out, expected[i]))).dataSync()[0]
          expect(diff, anatomy.chain[i].name).toBeLessThan(1e-5)
        })
      })
      // And the engine's views are those values: the first block's data is the tf.model output.
      const views = explainDigit(model, unitPixels(digits[1]), {
        method: 'occlusion',
        contrast: false
      })
      const firstBlock = anatomy.convBlocks[0].outputIndex
      expect(Array.from(views.layers[0].data!)).toEqual(Array.from(expected[firstBlock].dataSync()))
      tf.dispose([x, ...expected])
    }
    accurate.dispose()
  })

  it('ranks channels strongest first and sends the first layer filters as images', () => {
    const e = explainDigit(trained, unitPixels(digits[0]), { method: 'occlusion', contrast: false })
    const conv1 = e.layers[0]
    expect(conv1.shape).toEqual([26, 26, 32])
    const channelMean = (c: number): number => {
      let s = 0
      for (let i = c; i < conv1.data!.length; i += 32) s += conv1.data![i]
      return s
    }
    const means = conv1.order!.map(channelMean)
    expect([...means].sort((a, b) => b - a)).toEqual(means)
    expect(e.filters).toMatchObject({ height: 3, width: 3, count: 32 })
    const kernel = trained.layers[0].getWeights()[0].dataSync()
    // Filter 5's pixel (1, 2) is kernel[1][2][0][5].
    expect(e.filters!.data[5 * 9 + 1 * 3 + 2]).toBeCloseTo(kernel[(1 * 3 + 2) * 32 + 5], 6)
    expect(e.layers.map((l) => l.name)).toEqual([
      trained.layers[0].name,
      trained.layers[2].name,
      trained.layers[5].name
    ])
  })
})

describe('saliency', () => {
  it('Integrated Gradients sums to the logit change from black (completeness)', () => {
    const anatomy = anatomyOf(trained)
    const input = unitPixels(digits[0])
    const e = explainDigit(trained, input, { method: 'ig', contrast: false })
    const logits = tf.tidy(() =>
      forwardPass(
        anatomy,
        tf.tensor4d([...input, ...new Float32Array(IMAGE_PIXELS)], [2, IMAGE_SIZE, IMAGE_SIZE, 1])
      ).logits.arraySync()
    )
    const change = logits[0][e.target] - logits[1][e.target]
    const total = e.saliency.reduce((a, b) => a + b, 0)
    expect(Math.abs(total - change)).toBeLessThan(0.05 * Math.abs(change))
    // Zero off the ink, by construction.
    input.forEach((p, i) => {
      if (p === 0) expect(Math.abs(e.saliency[i])).toBe(0)
    })
  })

  it('contrast is the target map minus the runner-up map, for every method', () => {
    const anatomy = anatomyOf(trained)
    const input = unitPixels(digits[2])
    for (const method of EXPLAIN_METHODS) {
      const e = explainDigit(trained, input, { method, samples: 8 })
      const oneHot = (c: number): number[] =>
        Array.from({ length: 10 }, (_, k) => (k === c ? 1 : 0))
      const runner = saliencyMap(anatomy, input, method, oneHot(e.runnerUp), 8)
      expect(e.runnerUp).not.toBe(e.target)
      let worst = 0
      let scale = 0
      for (let i = 0; i < IMAGE_PIXELS; i++) {
        worst = Math.max(worst, Math.abs(e.contrast![i] - (e.saliency[i] - runner[i])))
        scale = Math.max(scale, Math.abs(e.contrast![i]))
      }
      expect(worst, method).toBeLessThan(1e-3 * scale + 1e-6)
    }
  })

  it('a chosen target is explained instead of the predicted class', () => {
    const e = explainDigit(trained, unitPixels(digits[0]), {
      method: 'smoothgrad',
      target: 3,
      samples: 4
    })
    expect(e.label).toBe(7)
    expect(e.target).toBe(3)
    expect(e.runnerUp).toBe(7)
  })

  it('leaves no tensor behind (numTensors flat) for every method, the views and the snapshot', () => {
    const input = unitPixels(digits[0])
    // Warm-up: the first call creates the weights' cached tensors (e.g. kernels read once).
    for (const method of EXPLAIN_METHODS) explainDigit(trained, input, { method, samples: 4 })
    const before = tf.memory().numTensors
    for (const method of EXPLAIN_METHODS) explainDigit(trained, input, { method, samples: 4 })
    buildInsideSnapshot(trained, 1, digits[0])
    expect(tf.memory().numTensors).toBe(before)
  })
})
