import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { trainingBatchNorm } from '#engine/backend/batch-norm-training'
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

/** tfjs's own training batch norm (tfjs-layers' regularNormalizeBatchInTraining) and its gradient. */
async function reference(): Promise<{ y: Float32Array; grads: Float32Array[] }> {
  await tf.setBackend('cpu')
  const [x, g, b, dy] = [
    tf.tensor(x0, SHAPE),
    tf.tensor(gamma0),
    tf.tensor(beta0),
    tf.tensor(dy0, SHAPE)
  ]
  const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(xx, [0, 1, 2])
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
  it('gives tfjs output and the same gradients for x, gamma and beta', async () => {
    const want = await reference()
    const [x, g, b, dy] = [
      tf.tensor(x0, SHAPE),
      tf.tensor1d(gamma0),
      tf.tensor1d(beta0),
      tf.tensor(dy0, SHAPE)
    ]
    const out = trainingBatchNorm(x, g, b, EPS)
    const grads = tf.grads(
      (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        trainingBatchNorm(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, EPS).y
    )([x, g, b], dy)
    expectClose(out.y.dataSync() as Float32Array, want.y)
    grads.forEach((grad, i) => expectClose(grad.dataSync() as Float32Array, want.grads[i]))
    tf.dispose([x, g, b, dy, out.y, out.mean, out.variance, ...grads])
  })
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
