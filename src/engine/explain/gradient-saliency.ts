/**
 * Saliency from input gradients of the logits: SmoothGrad (Smilkov et al. 2017) and Integrated
 * Gradients with a black baseline (Sundararajan et al. 2017). Both take a weight per class, so one
 * function gives the map of a class (one-hot) or the contrast of two (+1 / -1): the logits are
 * linear in the weights, and so are both maps.
 */
import * as tf from '@tensorflow/tfjs'
import { IMAGE_SIZE } from '#shared/mnist'
import { logitsOf } from './forward'
import type { ModelAnatomy } from './model-anatomy'

/**
 * Noise of 15 % of the input range: Smilkov et al. found 10-20 % gives the sharpest maps on MNIST;
 * less leaves the raw gradient's speckle, more blurs the map off the strokes.
 */
const SMOOTHGRAD_NOISE = 0.15
/** Noisy copies averaged per map by default (the CLI; the live draw pad asks for fewer). */
const SMOOTHGRAD_SAMPLES = 32
/**
 * Noisy copies for the draw pad's live update: small enough that prediction + map stay within
 * 50 ms on the fallback backend (see `digit-studio bench`), enough that the map is not speckle.
 */
export const LIVE_SMOOTHGRAD_SAMPLES = 8
/** Riemann steps from the black baseline: enough that the attributions sum to within ~1 % of the logit change. */
const IG_STEPS = 32

/** d(sum_k weights[k] * logit_k)/d input, per image of the batch: [n, 28, 28, 1]. */
function weightedLogitGradient(
  anatomy: ModelAnatomy,
  batch: tf.Tensor4D,
  classWeights: number[]
): tf.Tensor4D {
  const weights = tf.tensor1d(classWeights)
  return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(logitsOf(anatomy, x as tf.Tensor4D), weights)))(
    batch
  ) as tf.Tensor4D
}

/** One image [784] as a [1, 28, 28, 1] tensor. */
function imageTensor(pixels: Float32Array): tf.Tensor4D {
  return tf.tensor4d(pixels, [1, IMAGE_SIZE, IMAGE_SIZE, 1])
}

/**
 * SmoothGrad: the gradient averaged over `samples` copies of the input with Gaussian noise (signed;
 * take absolute values to rank pixels). `seed` makes the noise, and so the map, repeatable.
 */
export function smoothGrad(
  anatomy: ModelAnatomy,
  pixels: Float32Array,
  classWeights: number[],
  { samples = SMOOTHGRAD_SAMPLES, noise = SMOOTHGRAD_NOISE, seed = 1 } = {}
): Float32Array {
  const map = tf.tidy(() => {
    const x = imageTensor(pixels)
    const noisy = tf.add(
      tf.tile(x, [samples, 1, 1, 1]),
      tf.randomNormal([samples, IMAGE_SIZE, IMAGE_SIZE, 1], 0, noise, 'float32', seed)
    ) as tf.Tensor4D
    return tf.mean(weightedLogitGradient(anatomy, noisy, classWeights), 0)
  })
  const out = map.dataSync() as Float32Array
  map.dispose()
  return out
}

/**
 * Integrated Gradients from a black image: input x mean gradient along the straight path from
 * black to the input (midpoint rule). Zero wherever the input is zero, by construction, and the
 * map sums to about logit(input) - logit(black) (completeness).
 */
export function integratedGradients(
  anatomy: ModelAnatomy,
  pixels: Float32Array,
  classWeights: number[],
  { steps = IG_STEPS } = {}
): Float32Array {
  const map = tf.tidy(() => {
    const x = imageTensor(pixels)
    const alphas = tf.reshape(tf.div(tf.add(tf.range(0, steps), 0.5), steps), [steps, 1, 1, 1])
    const path = tf.mul(alphas, x) as tf.Tensor4D
    const meanGrad = tf.mean(weightedLogitGradient(anatomy, path, classWeights), 0)
    return tf.mul(meanGrad, tf.reshape(x, [IMAGE_SIZE, IMAGE_SIZE, 1]))
  })
  const out = map.dataSync() as Float32Array
  map.dispose()
  return out
}
