import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { createAccurateModel } from '#engine/training/models'
import { prepareForTraining } from '#engine/training/optimizer'
import { ChunkClaims } from '#engine/training/parallel/chunk-claims'
import { claimedGradients } from '#engine/training/parallel/claimed-gradients'
import { dropoutSeed, seedDropoutMasks } from '#engine/training/seeded-dropout'
import { localStepper } from '#engine/training/train-step'
import { testBackend } from '../helpers/engine'

// Issue 11: runs with dropout repeat from their seed, so presets can be compared on equal terms.

beforeAll(async () => {
  await selectBackend(testBackend())
})

function batch(n: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 11) as tf.Tensor4D
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32'
  )
  const ys = tf.oneHot(labels, 10).toFloat() as tf.Tensor2D
  labels.dispose()
  return { xs, ys }
}

const weightsOf = (m: tf.LayersModel): number[][] =>
  m.getWeights().map((w) => Array.from(w.dataSync()))

/** Three steps of the accurate preset from seed 1 with the given dropout seeds (undefined: unseeded). */
async function train(seeds: (number | undefined)[]): Promise<number[][]> {
  const model = createAccurateModel({ seed: 1 })
  prepareForTraining(model, 1e-3)
  const stepper = localStepper(model)
  const { xs, ys } = batch(16)
  for (const s of seeds) await stepper.step(xs, ys, s)
  const weights = weightsOf(model)
  tf.dispose([xs, ys])
  model.dispose()
  return weights
}

describe('seeded dropout masks', () => {
  it('the same step seeds give the same weights; other seeds, or none, give others', async () => {
    const a = await train([dropoutSeed(42, 0, 0), dropoutSeed(42, 0, 1), dropoutSeed(42, 0, 2)])
    const b = await train([dropoutSeed(42, 0, 0), dropoutSeed(42, 0, 1), dropoutSeed(42, 0, 2)])
    const otherStep = await train([
      dropoutSeed(42, 0, 0),
      dropoutSeed(42, 0, 1),
      dropoutSeed(42, 0, 3)
    ])
    const unseeded = await train([undefined, undefined, undefined])
    expect(a).toEqual(b)
    expect(otherStep).not.toEqual(a)
    expect(unseeded).not.toEqual(a)
  })

  it('each step gets a fresh mask, not the same one again, and each Dropout layer its own', () => {
    const model = createAccurateModel({ seed: 1 })
    const x = tf.ones([2, 28, 28, 1])
    const forward = (seed: number): number[] => {
      seedDropoutMasks(model, seed)
      return Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync())
    }
    expect(forward(5)).toEqual(forward(5))
    expect(forward(5)).not.toEqual(forward(6))
    const seeds = model.layers
      .filter((l) => l.getClassName() === 'Dropout')
      .map((l) => (l as unknown as { seed: number }).seed)
    expect(seeds.length).toBe(3)
    expect(new Set(seeds).size).toBe(3)
    x.dispose()
    model.dispose()
  })

  it('a chunk of a two-thread step draws the same masks whichever thread claims it', () => {
    const model = createAccurateModel({ seed: 1 })
    const { xs, ys } = batch(8)
    const gradientsOfChunk1 = (seed: number): number[][] => {
      const claims = ChunkClaims.create()
      claims.open(1)
      expect(claims.claim(1, 2)).toBe(0) // the other thread took chunk 0
      const mine = claimedGradients(model, xs, ys, [0, 4, 8], claims, 1, seed)
      const out = mine.gradSums!.map((g) => Array.from(g.dataSync()))
      tf.dispose(mine.gradSums!)
      return out
    }
    expect(gradientsOfChunk1(9)).toEqual(gradientsOfChunk1(9))
    expect(gradientsOfChunk1(9)).not.toEqual(gradientsOfChunk1(10))
    tf.dispose([xs, ys])
    model.dispose()
  })
})
