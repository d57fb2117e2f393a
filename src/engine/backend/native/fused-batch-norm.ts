/**
 * Batch normalization in training mode as TensorFlow's fused op. tfjs-layers normalizes a training
 * batch with tfjs ops (moments, then batchNorm) whose gradient is another ~30 elementwise ops and
 * reductions over the whole activation; on tfjs-node each is a full pass through memory, and they
 * were measured as most of an `accurate` training step. TensorFlow's `FusedBatchNormV3` and
 * `FusedBatchNormGradV3` (oneDNN on x86) do the same in one pass each way: forward and backward of
 * a 128x28x28x32 batch measured at ~9 ms of CPU instead of ~120 ms. Same formula
 * ((x - mean) / sqrt(var + epsilon) * gamma + beta, biased batch variance); the sums are taken in
 * another order, so values agree with the tfjs ops to float rounding, not bit for bit.
 */
import * as tf from '@tensorflow/tfjs'
import { NATIVE, type NativeBackend, type OpAttr } from './native-backend'

let available = false

function attrs(backend: NativeBackend, epsilon: number): OpAttr[] {
  const { binding } = backend
  return [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'U', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'epsilon', type: binding.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: binding.TF_ATTR_BOOL, value: true }
  ]
}

/** What a training batch's normalization gives: the output and the batch's statistics. */
interface FusedBatchNormResult {
  y: tf.Tensor4D
  mean: tf.Tensor1D
  /** The biased variance (divided by n), as tfjs's moments and Keras' normalization use it. */
  variance: tf.Tensor1D
}

/**
 * Normalizes `x` [N,H,W,C] over N, H and W with the batch's own statistics, differentiable in x,
 * gamma and beta. Only on tfjs-node, after `probeFusedBatchNorm` found the ops; needs N*H*W >= 2.
 */
export function fusedBatchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number
): FusedBatchNormResult {
  const backend = tf.backend() as unknown as NativeBackend
  const opAttrs = attrs(backend, epsilon)
  const [n, h, w] = x.shape
  const count = n * h * w
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined
  const forward = tf.customGrad((...args: (tf.Tensor | ((t: tf.Tensor[]) => void))[]) => {
    const [xs, g, b] = args as tf.Tensor[]
    const save = args[3] as (t: tf.Tensor[]) => void
    const empty = tf.tensor1d([])
    const [y, mean, unbiased, r1, r2, r3] = backend.executeMultipleOutputs(
      'FusedBatchNormV3',
      opAttrs,
      [xs, g, b, empty, empty],
      6
    ) as tf.Tensor[]
    // TensorFlow reports the variance divided by n - 1 (for its moving average); tfjs-layers
    // averages the biased one, divided by n.
    // Kept: tfjs frees what a custom gradient's forward makes besides its value.
    stats = {
      mean: tf.keep(mean as tf.Tensor1D),
      variance: tf.keep(tf.mul(unbiased, (count - 1) / count) as tf.Tensor1D)
    }
    save([xs, g, r1, r2, r3])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [dx, dGamma, dBeta] = backend.executeMultipleOutputs(
          'FusedBatchNormGradV3',
          opAttrs,
          [dy as tf.Tensor, ...saved],
          5
        ) as tf.Tensor[]
        return [dx, dGamma, dBeta]
      }
    }
  })
  const y = forward(x, gamma, beta) as tf.Tensor4D
  if (!stats) throw new Error('FusedBatchNormV3 returned no statistics')
  // Copies in the caller's scope (so its tidy frees them), and the kept originals freed now.
  const result = { y, mean: stats.mean.clone(), variance: stats.variance.clone() }
  tf.dispose([stats.mean, stats.variance])
  return result
}

/** Whether `fusedBatchNormTraining` can run now: tfjs-node active and the probe passed. */
export function fusedBatchNormAvailable(): boolean {
  return available && tf.getBackend() === NATIVE
}

/**
 * Checks once, with tfjs-node active, that TensorFlow's fused ops exist and agree with tfjs's own
 * normalization and its gradients (to 1e-4 relative); anything else keeps tfjs-layers' way.
 */
export function probeFusedBatchNorm(): void {
  try {
    available = tf.tidy(() => {
      const x = tf.randomNormal([4, 3, 3, 5], 1, 2, 'float32', 3) as tf.Tensor4D
      const gamma = tf.randomNormal([5], 1, 0.1, 'float32', 4) as tf.Tensor1D
      const beta = tf.randomNormal([5], 0, 0.1, 'float32', 5) as tf.Tensor1D
      const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 6)
      const eps = 1e-3
      const stock = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        const { mean, variance } = tf.moments(xs, [0, 1, 2])
        return tf.batchNorm(xs, mean, variance, b, g, eps)
      }
      available = true
      const ours = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor =>
        fusedBatchNormTraining(xs as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, eps).y
      const close = (a: tf.Tensor, b: tf.Tensor): boolean =>
        tf
          .lessEqual(tf.abs(tf.sub(a, b)), tf.add(tf.mul(tf.abs(b), 1e-4), 1e-4))
          .all()
          .dataSync()[0] === 1
      const expected = [stock(x, gamma, beta), ...tf.grads(stock)([x, gamma, beta], dy)]
      const actual = [ours(x, gamma, beta), ...tf.grads(ours)([x, gamma, beta], dy)]
      return expected.every((e, i) => close(actual[i], e))
    })
  } catch {
    // Not in this TensorFlow build, or its outputs changed: tfjs-layers' normalization it is.
    available = false
  }
}
