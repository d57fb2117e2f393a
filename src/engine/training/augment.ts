/**
 * On-the-fly augmentation for the `accurate` preset: each training batch is redrawn with a small
 * random rotation, shift and scale, and strokes made a little thicker or thinner, so the model
 * learns digits rather than the 250 writers of MNIST. Pure and seeded: the same batch and seed
 * give the same result, which keeps runs (and resumes) reproducible.
 */
import * as tf from '@tensorflow/tfjs'
import { IMAGE_SIZE } from '#shared/mnist'
import { createRng } from '../random'

interface AugmentOptions {
  /** Largest rotation either way, in degrees. 12 degrees covers slanted handwriting without turning 6 into 9. */
  maxRotationDeg: number
  /** Largest shift either way, in pixels. MNIST digits are centred by mass, so +-2 px is what real crops vary. */
  maxShiftPx: number
  /** Largest relative change of size: +-10 % covers small and large writing in the 20x20 box. */
  maxScale: number
  /** Largest blend toward a dilated (thicker) or eroded (thinner) stroke, 0-1. */
  maxStroke: number
}

const DEFAULT_AUGMENT: AugmentOptions = {
  maxRotationDeg: 12,
  maxShiftPx: 2,
  maxScale: 0.1,
  maxStroke: 0.5
}

const CENTER = (IMAGE_SIZE - 1) / 2

/**
 * The projective transforms tf.image.transform takes: one row [a0,a1,a2,b0,b1,b2,0,0] per image,
 * mapping each output pixel back to the input pixel it samples (hence the inverse rotation/scale).
 */
export function affineRows(
  count: number,
  seed: number,
  options: AugmentOptions = DEFAULT_AUGMENT
): { rows: Float32Array; stroke: Float32Array } {
  const rng = createRng(seed)
  const uniform = (max: number): number => (rng() * 2 - 1) * max
  const rows = new Float32Array(count * 8)
  const stroke = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    const angle = (uniform(options.maxRotationDeg) * Math.PI) / 180
    const scale = 1 + uniform(options.maxScale)
    const tx = uniform(options.maxShiftPx)
    const ty = uniform(options.maxShiftPx)
    const cos = Math.cos(angle) / scale
    const sin = Math.sin(angle) / scale
    // input = A (output - centre - shift) + centre, with A the inverse rotation divided by the scale.
    const ox = CENTER + tx
    const oy = CENTER + ty
    rows.set(
      [cos, sin, CENTER - cos * ox - sin * oy, -sin, cos, CENTER + sin * ox - cos * oy, 0, 0],
      i * 8
    )
    stroke[i] = uniform(options.maxStroke)
  }
  return { rows, stroke }
}

/**
 * Returns a new augmented batch [N,28,28,1] (values stay in [0,1]); the input is not disposed.
 * Runs outside the gradient tape: augmentation needs no gradients.
 */
export function augmentBatch(
  xs: tf.Tensor4D,
  seed: number,
  options: AugmentOptions = DEFAULT_AUGMENT
): tf.Tensor4D {
  return tf.tidy(() => {
    const n = xs.shape[0]
    const { rows, stroke } = affineRows(n, seed, options)
    const moved = tf.image.transform(xs, tf.tensor2d(rows, [n, 8]), 'bilinear', 'constant', 0)
    // Stroke thickness: blend toward a 3x3 max (dilation) for positive weights, toward a 3x3 min
    // (erosion) for negative ones. Cheaper and smoother than a true morphological width change.
    const thick = tf.maxPool(moved, 3, 1, 'same')
    const thin = tf.neg(tf.maxPool(tf.neg(moved), 3, 1, 'same'))
    const w = tf.tensor4d(stroke, [n, 1, 1, 1])
    const towardThick = tf.mul(tf.relu(w), tf.sub(thick, moved))
    const towardThin = tf.mul(tf.relu(tf.neg(w)), tf.sub(thin, moved))
    return tf.clipByValue(tf.add(moved, tf.add(towardThick, towardThin)), 0, 1) as tf.Tensor4D
  })
}
