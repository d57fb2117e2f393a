/**
 * Batch normalization in training mode with a hand-derived gradient, for the wasm fallback.
 *
 * tfjs-layers trains batch norm as `moments(x)` then `batchNorm(x, mean, variance, …)`, and tfjs
 * differentiates that op by op: FusedBatchNorm's gradient (about a dozen full-size multiplies,
 * tiles and sums), then back through the moments (mean, subtract, square, mean: another dozen
 * full-size passes). Measured with scripts/bench-kernel-flops.ts on a 32-image chunk, that
 * backward pass was the `accurate` model's single most expensive part: 35 CPU-ms for a 28x28x32
 * layer, more than its convolution's filter gradient. The closed form needs a handful of passes:
 *
 *   xhat = (x - mean) * invStd,  dbeta = sum(dy),  dgamma = sum(dy * xhat)
 *   dx   = gamma * invStd * (dy - dbeta / m - xhat * dgamma / m)      (m samples per channel)
 *
 * The forward values are tfjs's own (same moments, same batchNorm op), so a model's outputs and
 * its moving averages are unchanged; only the gradient's rounding differs (checked against tfjs's
 * in npm test).
 */
import * as tf from '@tensorflow/tfjs'
import {
  BATCH_NORM_GRAD,
  BATCH_NORM_TRAIN,
  batchNormKernelsApply
} from './kernels/batch-norm-kernels'

/**
 * Normalises `x` ([..., C]) over every axis but the last with its own batch statistics, scaled by
 * `gamma` and shifted by `beta` ([C]), with the closed-form gradient. Returns the output and the
 * batch mean and (biased) variance, as tfjs-layers' training path does. The mean and variance are
 * kept out of any enclosing tf.tidy: the caller disposes them.
 */
export function trainingBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (batchNormKernelsApply(x)) return kernelBatchNorm(x, gamma, beta, epsilon)
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i)
  const m = x.size / x.shape[x.rank - 1]
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D]
    const save = args[3] as tf.GradSaveFunc
    const { mean, variance } = tf.moments(input, axes)
    // Kept past customGrad's forward scope: the layer updates its moving averages with them.
    stats = { mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) }
    const invStd = tf.rsqrt(tf.add(variance, epsilon))
    save([input, mean, invStd, g])
    return {
      value: tf.batchNorm(input, mean, variance, b, g, epsilon),
      // In a tidy of its own: tfjs calls a custom gradient outside any scope of the backward pass,
      // so without it the five full-size temporaries of every batch-norm layer (xhat, dy·xhat, …)
      // stayed on the wasm heap until the whole backward pass ended, and the heap's peak with them.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, mu, inv, scale] = saved
          const xhat = tf.mul(tf.sub(xs, mu), inv)
          const dbeta = tf.sum(dy, axes)
          const dgamma = tf.sum(tf.mul(dy, xhat), axes)
          const centred = tf.sub(dy, tf.div(dbeta, m))
          const dx = tf.mul(tf.sub(centred, tf.mul(xhat, tf.div(dgamma, m))), tf.mul(scale, inv))
          return [dx, dgamma, dbeta]
        })
    }
  })
  const y = normalise(x, gamma, beta)
  const { mean, variance } = stats as unknown as { mean: tf.Tensor1D; variance: tf.Tensor1D }
  return { y, mean, variance }
}

/**
 * The same computation by the wasm fallback's two batch-norm kernels (kernels/batch-norm-kernels.ts):
 * forward statistics and output in two passes over x, the gradient in two passes over dy and x.
 * The statistics are float64 sums rather than tfjs's moments, so outputs differ in the last bits.
 */
function kernelBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D]
    const save = args[3] as tf.GradSaveFunc
    const [y, mean, variance, invStd] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAIN, { x: input, gamma: g, beta: b }, { epsilon }) as tf.Tensor[]
    // Kept past customGrad's forward scope: the layer updates its moving averages with them.
    stats = { mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) }
    save([input, mean, invStd, g])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, mu, inv, scale] = saved
        return tf.engine().runKernel(BATCH_NORM_GRAD, {
          dy,
          x: xs,
          mean: mu,
          invStd: inv,
          gamma: scale
        }) as tf.Tensor[]
      }
    }
  })
  const y = normalise(x, gamma, beta)
  const { mean, variance } = stats as unknown as { mean: tf.Tensor1D; variance: tf.Tensor1D }
  return { y, mean, variance }
}

/** The fields of tfjs-layers' BatchNormalization that its training path reads (private in its types). */
interface BatchNormLayer {
  axis: number
  momentum: number
  epsilon: number
  gamma?: tf.LayerVariable | null
  beta?: tf.LayerVariable | null
  movingMean: tf.LayerVariable
  movingVariance: tf.LayerVariable
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor
}

let patched = false

/**
 * Makes every BatchNormalization layer in this process train through `trainingBatchNorm` (normal
 * batch norm over the last axis with scale and offset, the only kind the presets use); any other
 * configuration, and inference, keep tfjs-layers' own code. The layer's class, config and saved
 * files don't change. Idempotent.
 */
export function useFastBatchNormTraining(): void {
  if (patched) return
  patched = true
  const sample = tf.layers.batchNormalization({})
  const proto = Object.getPrototypeOf(sample) as BatchNormLayer
  const original = proto.call
  proto.call = function (this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs
    const axis = this.axis >= 0 ? this.axis : this.axis + input.rank
    if (
      !kwargs?.training ||
      (Array.isArray(inputs) && inputs.length !== 1) ||
      axis !== input.rank - 1 ||
      this.gamma == null ||
      this.beta == null
    ) {
      return original.call(this, inputs, kwargs)
    }
    return tf.tidy(() => {
      const { y, mean, variance } = trainingBatchNorm(
        input,
        this.gamma!.read() as tf.Tensor1D,
        this.beta!.read() as tf.Tensor1D,
        this.epsilon
      )
      // The moving averages exactly as tfjs-layers updates them.
      for (const [variable, value] of [
        [this.movingMean, mean],
        [this.movingVariance, variance]
      ] as const) {
        const current = variable.read()
        variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - this.momentum)))
      }
      tf.dispose([mean, variance])
      return y
    })
  }
}
