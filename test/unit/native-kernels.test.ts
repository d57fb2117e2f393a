/**
 * The native backend's own kernels (src/engine/backend/native/): each is a faster way to compute
 * what tfjs-node computes, so each is checked against tfjs-node's or tfjs-layers' own way, in this
 * process on tfjs-node. Step and MaxPoolGrad must agree bit for bit; the fused training batch
 * norm to float rounding (it sums in another order). Runs only where tfjs-node loads (after
 * `npm run native`); elsewhere it says why and skips.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { fusedBatchNormAvailable } from '#engine/backend/native/fused-batch-norm'
import type { NativeBackend } from '#engine/backend/native/native-backend'
import { BatchNormalization, batchNormalization } from '#engine/training/batch-norm'
import { nativeStatus } from '../helpers/engine'

const native = nativeStatus()
if (!native.loads) console.info(`native-kernels: SKIPPED: ${native.reason}`)

const backend = (): NativeBackend => tf.backend() as unknown as NativeBackend

/** TensorFlow's own MaxPoolGrad op, called directly (what tfjs-node's stock kernel does). */
function stockMaxPoolGrad(x: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, pad: string): tf.Tensor {
  const { binding } = backend()
  return backend().executeSingleOutput(
    'MaxPoolGrad',
    [
      { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
      { name: 'ksize', type: binding.TF_ATTR_INT, value: [1, 2, 2, 1] },
      { name: 'strides', type: binding.TF_ATTR_INT, value: [1, 2, 2, 1] },
      { name: 'padding', type: binding.TF_ATTR_STRING, value: pad.toUpperCase() },
      { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' }
    ],
    [x, y, dy]
  ) as tf.Tensor
}

describe.skipIf(!native.loads)('native kernels', () => {
  beforeAll(async () => {
    await selectBackend('native')
  })

  it('Step is x > 0 ? 1 : 0 with NaN kept, for every special value; other alphas still work', () => {
    const values = [-1, 0, -0, 1, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3.5, -2.5]
    const x = tf.tensor1d(values)
    expect(Array.from(tf.step(x).dataSync())).toEqual(
      values.map((v) => (Number.isNaN(v) ? NaN : v > 0 ? 1 : 0))
    )
    expect(Array.from(tf.step(x, 0.25).dataSync())).toEqual(
      values.map((v) => (Number.isNaN(v) ? NaN : v > 0 ? 1 : 0.25))
    )
    // The ReLU gradient every model uses, through the kernel.
    const [g] = tf.grads((a: tf.Tensor) => tf.relu(a))([tf.tensor1d([-2, 3, 0])])
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0])
  })

  it('ReLU’s gradient (one ReluGrad op) equals tfjs’s dy * step(x) for finite values', () => {
    tf.tidy(() => {
      const x = tf.concat([
        tf.tensor1d([0, -0, 1e-30, -1e-30, 1, -1]),
        tf.randomNormal([5000], 0, 1, 'float32', 8)
      ])
      const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 9)
      const [ours] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))([x])
      const theirs = tf.mul(dy, tf.step(x))
      expect(tf.notEqual(ours, theirs).sum().dataSync()[0]).toBe(0)
      expect((tf.getGradient(tf.Relu) as { native?: boolean }).native).toBe(true)
    })
  })

  it('MaxPoolGrad (oneDNN) equals TensorFlow’s own bit for bit, ties and odd sizes included', () => {
    tf.tidy(() => {
      for (const [shape, pad] of [
        [[8, 26, 26, 32], 'valid'],
        [[8, 11, 11, 64], 'valid'],
        [[3, 7, 7, 5], 'same']
      ] as const) {
        // ReLU zeros and small integers: most windows hold ties.
        const x = tf.relu(
          tf.floor(
            tf.randomUniform([...shape] as [number, number, number, number], -2, 3, 'float32', 5)
          )
        ) as tf.Tensor4D
        const y = tf.maxPool(x, 2, 2, pad) as tf.Tensor4D
        const dy = tf.randomNormal([...y.shape], 0, 1, 'float32', 9) as tf.Tensor4D
        const ours = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, pad), dy))
        )(x)
        const theirs = stockMaxPoolGrad(x, y, dy, pad)
        expect(tf.notEqual(ours, theirs).sum().dataSync()[0]).toBe(0)
      }
    })
    // The kernel in use is this project's, not tfjs-node's.
    const kernel = tf.getKernel(tf.MaxPoolGrad, 'tensorflow')
    expect(kernel?.kernelFunc.toString()).toContain('poolInfo')
  })

  it('training-mode batch norm (fused) gives tfjs-layers’ output, gradients and moving averages', () => {
    expect(fusedBatchNormAvailable()).toBe(true)
    for (const shape of [
      [16, 14, 14, 8],
      [32, 24]
    ]) {
      const channels = shape[shape.length - 1]
      const stock = tf.layers.batchNormalization({ momentum: 0.9 })
      const ours = batchNormalization({ momentum: 0.9 })
      expect(ours).toBeInstanceOf(BatchNormalization)
      expect(ours.getClassName()).toBe('BatchNormalization')
      stock.build(shape)
      ours.build(shape)
      // Same non-trivial gamma and beta in both.
      const gamma = tf.randomNormal([channels], 1, 0.2, 'float32', 2)
      const beta = tf.randomNormal([channels], 0, 0.2, 'float32', 3)
      const moving = [tf.zeros([channels]), tf.ones([channels])]
      stock.setWeights([gamma, beta, ...moving])
      ours.setWeights([gamma, beta, ...moving])
      const x = tf.randomNormal(shape, 0.5, 2, 'float32', 4)
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 5)
      const run = (layer: tf.layers.Layer): tf.Tensor[] => {
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable)
        let y!: tf.Tensor
        const { value, grads } = tf.variableGrads(() => {
          y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor)
          return tf.sum(tf.mul(y, dy)) as tf.Scalar
        }, vars)
        const dx = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, dy))
        )(x)
        value.dispose()
        return [y, dx, ...vars.map((v) => grads[v.name]), ...layer.getWeights().slice(2)]
      }
      const expected = run(stock)
      const actual = run(ours)
      // y, dx, dgamma, dbeta, moving mean, moving variance (after two updates: variableGrads and grad).
      expected.forEach((e, i) => {
        const err = tf.tidy(
          () => tf.max(tf.div(tf.abs(tf.sub(actual[i], e)), tf.add(tf.abs(e), 1))).dataSync()[0]
        )
        expect(err, `output ${i} of ${shape}`).toBeLessThan(1e-4)
      })
      // Inference is tfjs-layers' own path in both.
      const inferStock = stock.apply(x, { training: false }) as tf.Tensor
      const inferOurs = ours.apply(x, { training: false }) as tf.Tensor
      expect(tf.max(tf.abs(tf.sub(inferStock, inferOurs))).dataSync()[0]).toBeLessThan(1e-4)
    }
  })

  it('a model with the fused batch norm saves and loads as plain Keras BatchNormalization', async () => {
    const model = tf.sequential()
    model.add(tf.layers.dense({ units: 4, inputShape: [3] }))
    model.add(batchNormalization({ momentum: 0.9 }))
    let saved: tf.io.ModelArtifacts | undefined
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      })
    )
    expect(JSON.stringify(saved?.modelTopology)).toContain('"class_name":"BatchNormalization"')
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!))
    expect(loaded.layers[1]).toBeInstanceOf(BatchNormalization)
  })
})
