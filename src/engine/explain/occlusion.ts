/**
 * Occlusion (Zeiler & Fergus 2014): black out a small patch, see how much the class score drops,
 * slide the patch over the whole image. No gradients at all, so it cross-checks the gradient maps.
 */
import * as tf from '@tensorflow/tfjs'
import { IMAGE_PIXELS, IMAGE_SIZE } from '#shared/mnist'
import { logitsOf } from './forward'
import type { ModelAnatomy } from './model-anatomy'

/** 4x4 px is about a stroke's width and a half: big enough to hide a piece of stroke. */
const OCCLUSION_PATCH = 4
/** Half the patch, so every pixel is covered by up to four patches and the map is smooth. */
const OCCLUSION_STRIDE = 2

/** Top-left corners of every patch position along one axis. */
function positions(): number[] {
  const out: number[] = []
  for (let p = 0; p + OCCLUSION_PATCH <= IMAGE_SIZE; p += OCCLUSION_STRIDE) out.push(p)
  return out
}

/**
 * Per pixel, the mean drop of the weighted logit score (sum_k weights[k] * logit_k) over the patches
 * that cover it: positive where hiding the pixel lowers the score. Patches over black change nothing
 * and score 0. One batched forward pass over all patch positions.
 */
export function occlusionMap(
  anatomy: ModelAnatomy,
  pixels: Float32Array,
  classWeights: number[]
): Float32Array {
  const spots = positions().flatMap((y) => positions().map((x) => [x, y] as const))
  const batch = new Float32Array((spots.length + 1) * IMAGE_PIXELS)
  batch.set(pixels, 0)
  spots.forEach(([px, py], s) => {
    const offset = (s + 1) * IMAGE_PIXELS
    batch.set(pixels, offset)
    for (let y = py; y < py + OCCLUSION_PATCH; y++)
      batch.fill(0, offset + y * IMAGE_SIZE + px, offset + y * IMAGE_SIZE + px + OCCLUSION_PATCH)
  })
  const scores = tf.tidy(() => {
    const input = tf.tensor4d(batch, [spots.length + 1, IMAGE_SIZE, IMAGE_SIZE, 1])
    return tf.sum(tf.mul(logitsOf(anatomy, input), tf.tensor1d(classWeights)), 1)
  })
  const values = scores.dataSync()
  scores.dispose()
  const drop = new Float32Array(IMAGE_PIXELS)
  const cover = new Float32Array(IMAGE_PIXELS)
  spots.forEach(([px, py], s) => {
    const d = values[0] - values[s + 1]
    for (let y = py; y < py + OCCLUSION_PATCH; y++)
      for (let x = px; x < px + OCCLUSION_PATCH; x++) {
        drop[y * IMAGE_SIZE + x] += d
        cover[y * IMAGE_SIZE + x] += 1
      }
  })
  for (let i = 0; i < IMAGE_PIXELS; i++) if (cover[i] > 0) drop[i] /= cover[i]
  return drop
}
