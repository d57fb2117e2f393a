/**
 * Batched inference over a prepared split, and the metrics computed from its probabilities:
 * loss, accuracy, the 10x10 confusion matrix and per-class accuracy. One pass serves validation,
 * the final test evaluation and the gallery.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import * as tf from '@tensorflow/tfjs'
import { NUM_CLASSES } from '#shared/mnist'
import type { PreparedSplit } from '../data/preprocess-data'
import { sequentialImages } from '../data/preprocess-data'

/** Inference batch: larger than a training batch (no gradients to keep), small enough to stay responsive. */
export const PREDICT_BATCH_SIZE = 500
/** Keras' epsilon: probabilities are clipped before the log so one confident mistake can't make the loss infinite. */
const EPSILON = 1e-7

/**
 * Probabilities for every image of a split, row-major [count, 10]. Yields to the event loop between
 * batches so the engine still reads stop requests. `shouldStop` ends early (returns null).
 */
export async function predictSplit(
  model: tf.LayersModel,
  split: PreparedSplit,
  shouldStop: () => boolean = () => false,
  batchSize = PREDICT_BATCH_SIZE
): Promise<Float32Array | null> {
  const out = new Float32Array(split.count * NUM_CLASSES)
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start)
    const probs = tf.tidy(() => model.predict(sequentialImages(split, start, size)) as tf.Tensor2D)
    out.set(await probs.data(), start * NUM_CLASSES)
    probs.dispose()
    await yieldToEventLoop()
    if (shouldStop()) return null
  }
  return out
}

export interface Evaluation {
  loss: number
  accuracy: number
  /** confusion[true][predicted] */
  confusion: number[][]
  perClassAccuracy: number[]
  predicted: Uint8Array
  confidence: Float32Array
}

/** Cross-entropy, accuracy and confusion matrix from probabilities and true labels. */
export function evaluateProbabilities(probs: Float32Array, labels: Uint8Array): Evaluation {
  const n = labels.length
  const confusion = Array.from({ length: NUM_CLASSES }, () =>
    new Array<number>(NUM_CLASSES).fill(0)
  )
  const predicted = new Uint8Array(n)
  const confidence = new Float32Array(n)
  let lossSum = 0
  let correct = 0
  for (let i = 0; i < n; i++) {
    const row = i * NUM_CLASSES
    let best = 0
    for (let c = 1; c < NUM_CLASSES; c++) if (probs[row + c] > probs[row + best]) best = c
    predicted[i] = best
    confidence[i] = probs[row + best]
    const p = Math.min(Math.max(probs[row + labels[i]], EPSILON), 1 - EPSILON)
    lossSum -= Math.log(p)
    if (best === labels[i]) correct++
    confusion[labels[i]][best]++
  }
  const perClassAccuracy = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0)
    return total === 0 ? 0 : row[c] / total
  })
  return {
    loss: n ? lossSum / n : NaN,
    accuracy: n ? correct / n : NaN,
    confusion,
    perClassAccuracy,
    predicted,
    confidence
  }
}
