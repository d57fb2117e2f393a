import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { testBackend } from '../helpers/engine'
import {
  createAccurateModel,
  createFastModel,
  createSeedModel,
  summarizeModel
} from '#engine/training/models'
import { prepareForTraining } from '#engine/training/optimizer'
import { trainStep } from '#engine/training/train-step'

// Model presets. Saving and loading: model-io.test.ts; atomic writes: atomic-write.test.ts;
// augmentation: augment.test.ts; evaluation and the gallery store: predictions-store.test.ts.

beforeAll(async () => {
  // The engine's backend selection, in this process, on the backend the tests ask for.
  await selectBackend(testBackend())
})

describe('model presets', () => {
  it('seed is the classic Keras MNIST CNN (225,034 parameters)', () => {
    const model = createSeedModel({ seed: 1 })
    const s = summarizeModel(model, 'seed')
    expect(s.layers.map((l) => l.className)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dense'
    ])
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [null, 26, 26, 32],
      [null, 13, 13, 32],
      [null, 11, 11, 64],
      [null, 5, 5, 64],
      [null, 1600],
      [null, 128],
      [null, 10]
    ])
    expect(s.layers.map((l) => l.params)).toEqual([320, 0, 18496, 0, 0, 204928, 1290])
    expect([s.totalParams, s.trainableParams]).toEqual([225034, 225034])
    model.dispose()
  })

  it('fast is smaller, accurate has batch norm and dropout; all map [N,28,28,1] to 10 probabilities', () => {
    const fast = createFastModel({ seed: 1 })
    const accurate = createAccurateModel({ seed: 1 })
    const fs = summarizeModel(fast, 'fast')
    const as = summarizeModel(accurate, 'accurate')
    expect(fs.totalParams).toBeLessThan(20_000)
    const classes = as.layers.map((l) => l.className)
    expect(classes).toContain('BatchNormalization')
    expect(classes).toContain('Dropout')
    // Batch norm's moving statistics are weights but not trainable.
    expect(as.trainableParams).toBeLessThan(as.totalParams)
    for (const m of [fast, accurate]) {
      const out = tf.tidy(
        () => (m.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor).sum(-1).arraySync() as number[]
      )
      out.forEach((p) => expect(p).toBeCloseTo(1, 4))
      m.dispose()
    }
  })

  it('the same seed gives the same starting weights', () => {
    const a = createSeedModel({ seed: 5 })
    const b = createSeedModel({ seed: 5 })
    const c = createSeedModel({ seed: 6 })
    const w = (m: tf.LayersModel): number[] => Array.from(m.getWeights()[0].dataSync())
    expect(w(a)).toEqual(w(b))
    expect(w(a)).not.toEqual(w(c))
    ;[a, b, c].forEach((m) => m.dispose())
  })

  it('a training step frees every tensor but the model and optimizer state (RELIABILITY D3)', async () => {
    const model = createFastModel({ seed: 1 })
    prepareForTraining(model, 1e-3)
    const xs = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D
    const ys = tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: 16 }, (_, i) => i % 10),
          'int32'
        ),
        10
      )
      .toFloat() as tf.Tensor2D
    const step = async (): Promise<number> => {
      const r = trainStep(model, xs, ys)
      const [loss] = await r.loss.data()
      tf.dispose([r.loss, r.accuracy])
      return loss
    }
    const first = await step() // creates Adam's slots
    const before = tf.memory().numTensors
    let last = first
    for (let i = 0; i < 5; i++) last = await step()
    expect(tf.memory().numTensors).toBe(before)
    expect(last).toBeLessThan(first)
    tf.dispose([xs, ys])
    model.dispose()
  })
})
