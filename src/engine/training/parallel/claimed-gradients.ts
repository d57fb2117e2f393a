import * as tf from '@tensorflow/tfjs'
import { batchGradients } from './batch-gradients'
import type { ChunkClaims } from './chunk-claims'
import { deriveSeed } from '../../random'
import { seedDropoutMasks } from '../seeded-dropout'

/** What one thread computed of a step: sums over the chunks it claimed (none: count 0, no sums). */
interface ClaimedGradients {
  /** Samples in the claimed chunks. */
  count: number
  chunks: number
  /** Sum over claimed chunks of (chunk mean loss x chunk size), likewise accuracy. */
  lossSum: number
  accuracySum: number
  /** Per trainable weight, the sum of (chunk mean gradient x chunk size); null when count is 0. */
  gradSums: tf.Tensor[] | null
}

/**
 * Claims chunks of `step` one at a time and accumulates their size-weighted gradients, until no
 * chunk is left. Both training threads run this on the same batch; the two sums, divided by the
 * batch size, are the whole batch's mean gradient. Doesn't dispose `xs`/`ys`; the caller disposes
 * `gradSums`.
 */
export function claimedGradients(
  model: tf.LayersModel,
  xs: tf.Tensor4D,
  ys: tf.Tensor2D,
  bounds: readonly number[],
  claims: ChunkClaims,
  step: number,
  /** The step's dropout seed; each chunk derives its own from it, whichever thread claims it. */
  dropoutSeed?: number
): ClaimedGradients {
  const out: ClaimedGradients = { count: 0, chunks: 0, lossSum: 0, accuracySum: 0, gradSums: null }
  const chunks = bounds.length - 1
  for (let c = claims.claim(step, chunks); c >= 0; c = claims.claim(step, chunks)) {
    const start = bounds[c]
    const size = bounds[c + 1] - start
    const xsChunk = tf.slice(xs, [start, 0, 0, 0], [size, -1, -1, -1])
    const ysChunk = tf.slice(ys, [start, 0], [size, -1])
    let part: ReturnType<typeof batchGradients>
    if (dropoutSeed !== undefined) seedDropoutMasks(model, deriveSeed(dropoutSeed, c))
    try {
      part = batchGradients(model, xsChunk, ysChunk)
    } finally {
      tf.dispose([xsChunk, ysChunk])
    }
    const previous = out.gradSums
    out.gradSums = tf.tidy(() =>
      part.grads.map((g, i) => (previous ? tf.add(previous[i], tf.mul(g, size)) : tf.mul(g, size)))
    )
    tf.dispose(part.grads)
    if (previous) tf.dispose(previous)
    out.count += size
    out.chunks++
    out.lossSum += part.loss * size
    out.accuracySum += part.accuracy * size
  }
  return out
}
