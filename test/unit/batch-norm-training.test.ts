import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { trainingBatchNorm } from '#engine/backend/batch-norm-training'
import { BATCH_NORM_TRAIN } from '#engine/backend/kernels/batch-norm-kernels'
import { expectClose, randomValues, startWasmWithFallback } from './gradients-check'

// Batch norm's training path with the closed-form gradient (wasm fallback), against tfjs's own
// op-by-op gradient of moments + batchNorm on the pure-JS cpu backend.

beforeAll(startWasmWithFallback)

const SHAPE = [4, 6, 6, 8]
const EPS = 1e-3
const x0 = randomValues(4 * 6 * 6 * 8, 901).map((v) => 3 * v + 1) // mean and variance away from 0/1
const gamma0 = randomValues(8, 902).map((v) => v + 1.5)
const beta0 = randomValues(8, 903)
const dy0 = randomValues(4 * 6 * 6 * 8, 904)

/** One input to compare on: its shape and how far its values sit from 0. */
interface Case {
  label: string
  shape: number[]
  offset: number
  /** The kernel the forward pass should run on wasm (BATCH_NORM_TRAIN or the portable path's). */
  kernel: string
}

const CASES: Case[] = [
  {
    label: 'NHWC, 8 channels (the SIMD kernels)',
    shape: SHAPE,
    offset: 1,
    kernel: BATCH_NORM_TRAIN
  },
  {
    label: '[N, C] after a dense layer (the SIMD kernels)',
    shape: [24, 12],
    offset: 1,
    kernel: BATCH_NORM_TRAIN
  },
  // Mean 200 standard deviations from 0: the variance must not come from E[x²] − E[x]².
  {
    label: 'values far from 0 (the SIMD kernels)',
    shape: [4, 5, 5, 16],
    offset: 600,
    kernel: BATCH_NORM_TRAIN
  },
  {
    label: 'channels not in fours (tfjs ops)',
    shape: [4, 6, 6, 6],
    offset: 1,
    kernel: 'FusedBatchNorm'
  }
]

/** x, gamma, beta and dy for `c`, seeded. */
function caseValues(c: Case): {
  x: Float32Array
  gamma: Float32Array
  beta: Float32Array
  dy: Float32Array
} {
  const size = c.shape.reduce((p, q) => p * q, 1)
  const channels = c.shape[c.shape.length - 1]
  return {
    x: randomValues(size, 911).map((v) => 3 * v + c.offset),
    gamma: randomValues(channels, 912).map((v) => v + 1.5),
    beta: randomValues(channels, 913),
    dy: randomValues(size, 914)
  }
}

/** tfjs's own training batch norm (tfjs-layers' regularNormalizeBatchInTraining) and its gradient. */
async function reference(
  shape: number[] = SHAPE,
  values: Record<'x' | 'gamma' | 'beta' | 'dy', Float32Array> = {
    x: x0,
    gamma: gamma0,
    beta: beta0,
    dy: dy0
  }
): Promise<{ y: Float32Array; grads: Float32Array[] }> {
  await tf.setBackend('cpu')
  const [x, g, b, dy] = [
    tf.tensor(values.x, shape),
    tf.tensor(values.gamma),
    tf.tensor(values.beta),
    tf.tensor(values.dy, shape)
  ]
  const axes = shape.slice(0, -1).map((_, i) => i)
  const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(xx, axes)
    return tf.batchNorm(xx, mean, variance, bb as tf.Tensor1D, gg as tf.Tensor1D, EPS)
  }
  const y = f(x, g, b)
  const grads = tf.grads(f)([x, g, b], dy)
  const out = {
    y: y.dataSync() as Float32Array,
    grads: grads.map((t) => t.dataSync() as Float32Array)
  }
  tf.dispose([x, g, b, dy, y, ...grads])
  await tf.setBackend('wasm')
  return out
}

describe('trainingBatchNorm on wasm', () => {
  for (const c of CASES) {
    it(`gives tfjs output, batch statistics and gradients for x, gamma and beta: ${c.label}`, async () => {
      const values = caseValues(c)
      const want = await reference(c.shape, values)
      const [x, g, b, dy] = [
        tf.tensor(values.x, c.shape),
        tf.tensor1d(values.gamma),
        tf.tensor1d(values.beta),
        tf.tensor(values.dy, c.shape)
      ]
      const profile = await tf.profile(() => trainingBatchNorm(x, g, b, EPS))
      const out = profile.result as unknown as ReturnType<typeof trainingBatchNorm>
      expect(profile.kernels.map((k) => k.name)).toContain(c.kernel)
      const grads = tf.grads(
        (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
          trainingBatchNorm(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, EPS).y
      )([x, g, b], dy)
      expectClose(out.y.dataSync() as Float32Array, want.y)
      const axes = c.shape.slice(0, -1).map((_, i) => i)
      const moments = tf.moments(x, axes)
      expectClose(out.mean.dataSync() as Float32Array, moments.mean.dataSync() as Float32Array)
      expectClose(
        out.variance.dataSync() as Float32Array,
        moments.variance.dataSync() as Float32Array
      )
      grads.forEach((grad, i) => expectClose(grad.dataSync() as Float32Array, want.grads[i]))
      tf.dispose([
        x,
        g,
        b,
        dy,
        out.y,
        out.mean,
        out.variance,
        moments.mean,
        moments.variance,
        ...grads
      ])
    })
  }
})

describe('a BatchNormalization layer training on wasm', () => {
  it('takes the closed form: same output, moving averages and input gradient as tfjs, in fewer kernels', async () => {
    const want = await reference()
    const layer = tf.layers.batchNormalization({ momentum: 0.9, epsilon: EPS })

    layer.build(SHAPE)
    layer.setWeights([tf.tensor1d(gamma0), tf.tensor1d(beta0), tf.zeros([8]), tf.ones([8])])
    const [x, dy] = [tf.tensor(x0, SHAPE), tf.tensor(dy0, SHAPE)]
    const y = layer.apply(x, { training: true }) as tf.Tensor
    expectClose(y.dataSync() as Float32Array, want.y)
    // Moving mean after one update from 0: 0.1 x the batch mean (tfjs-layers' rule).
    const movingMean = layer.getWeights()[2].dataSync()
    const batchMean = tf.mean(x, [0, 1, 2]).dataSync()
    expectClose(movingMean as Float32Array, batchMean.map((v) => 0.1 * v) as Float32Array)

    const inputGrad = tf.grad((xx: tf.Tensor) => layer.apply(xx, { training: true }) as tf.Tensor)
    const profile = await tf.profile(() => inputGrad(x, dy))
    const dx = profile.result as tf.Tensor
    // Read now: tfjs reuses one profile object, so the next tf.profile overwrites this one's list.
    const kernels = profile.kernels.map((k) => k.name)
    expectClose(dx.dataSync() as Float32Array, want.grads[0])
    const stock = await tf.profile(() =>
      tf.grad((xx: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2])
        return tf.batchNorm(xx, mean, variance, tf.tensor1d(beta0), tf.tensor1d(gamma0), EPS)
      })(x, dy)
    )
    // tfjs's op-by-op gradient tiles 1/sqrt(variance) to x's full size; the closed form doesn't,
    // and runs fewer kernels (both counts include the forward pass).
    expect(stock.kernels.map((k) => k.name)).toContain('Tile')
    expect(kernels).not.toContain('Tile')
    expect(kernels.length).toBeLessThan(stock.kernels.length)
    tf.dispose([x, dy, y, dx, stock.result as tf.Tensor])
  })
})
