/**
 * Images added to MNIST for a fine-tune (`--add-images DIR`, My digits): a labelled folder read
 * through Classify's preprocessing, a seeded held-out part set aside to measure the fine-tune, and
 * the rest mixed into every batch so that a hundred images weigh against 54,000.
 *
 * The mix: each batch of B images carries round(B / 8) added images (at least one; 4 of 32) and
 * B minus that from MNIST; an epoch is still one pass over MNIST's training split, and the added
 * images come round again and again in a fresh seeded order each time. With 100 added images and
 * batch 32 an epoch shows each of them ~80 times, while MNIST keeps 7/8 of every gradient, which
 * is what keeps the model from forgetting it.
 */
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS } from '#shared/mnist'
import type { SkippedImage } from '#shared/protocol/training'
import type { PreparedData, PreparedSplit } from './preprocess-data'
import { readLabelledFolder } from './labelled-folder'
import { createRng, deriveSeed, shuffledIndices } from '../random'

/** Share of each batch given to added images. */
const ADDED_SHARE = 1 / 8
/** Share of the added images held out (seeded) to measure the fine-tune on images it never saw. */
const HELD_OUT_FRACTION = 0.2

export interface AddedImages {
  /** The part trained on. */
  train: PreparedSplit
  /** The seeded held-out part: evaluated before and after, never trained on. */
  heldOut: PreparedSplit
  skipped: SkippedImage[]
}

function pick(images: Uint8Array, labels: Uint8Array, order: Uint32Array): PreparedSplit {
  const pixels = new Uint8Array(order.length * IMAGE_PIXELS)
  order.forEach((idx, i) =>
    pixels.set(images.subarray(idx * IMAGE_PIXELS, (idx + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS)
  )
  return { pixels, labels: Uint8Array.from(order, (i) => labels[i]), count: order.length }
}

/** Reads `dir` and splits it into the trained and the held-out part (seeded by `seed`). */
export async function readAddedImages(dir: string, seed: number): Promise<AddedImages> {
  const read = await readLabelledFolder(dir)
  if (read.count < 2) {
    throw new EngineError(
      'DATASET_INVALID',
      `${dir}: ${read.count} usable image: fine-tuning needs at least 2 (one is held out to measure it)`
    )
  }
  const order = shuffledIndices(read.count, createRng(deriveSeed(seed, 0xadd)))
  const heldOut = Math.max(1, Math.round(read.count * HELD_OUT_FRACTION))
  return {
    heldOut: pick(read.images, read.labels, order.subarray(0, heldOut)),
    train: pick(read.images, read.labels, order.subarray(heldOut)),
    skipped: read.skipped
  }
}

/** The run's data with the added images appended to its training split (indices past MNIST's). */
export function withAddedImages(data: PreparedData, added: AddedImages): PreparedData {
  const { train } = data
  const pixels = new Uint8Array((train.count + added.train.count) * IMAGE_PIXELS)
  pixels.set(train.pixels)
  pixels.set(added.train.pixels, train.count * IMAGE_PIXELS)
  const labels = new Uint8Array(train.count + added.train.count)
  labels.set(train.labels)
  labels.set(added.train.labels, train.count)
  return { ...data, train: { pixels, labels, count: labels.length } }
}

/**
 * One epoch's order over MNIST (indices 0..base-1) and the added images (base..base+added-1):
 * every batch of `batchSize` holds the added share, MNIST in its seeded epoch order fills the
 * rest. Depends on (seed, epoch) only, like `epochOrder`, so a run is reproducible.
 */
export function mixedEpochOrder(
  base: number,
  added: number,
  batchSize: number,
  seed: number,
  epoch: number
): Uint32Array {
  const perBatchAdded = Math.min(batchSize - 1, Math.max(1, Math.round(batchSize * ADDED_SHARE)))
  const perBatchBase = batchSize - perBatchAdded
  const batches = Math.ceil(base / perBatchBase)
  const mnist = shuffledIndices(base, createRng(deriveSeed(seed, epoch, 0xe90c)))
  const rng = createRng(deriveSeed(seed, epoch, 0xadd))
  let cycle = shuffledIndices(added, rng)
  let next = 0
  const out = new Uint32Array(base + batches * perBatchAdded)
  let o = 0
  for (let b = 0; b < batches; b++) {
    const from = b * perBatchBase
    for (let i = from; i < Math.min(base, from + perBatchBase); i++) out[o++] = mnist[i]
    for (let k = 0; k < perBatchAdded; k++) {
      if (next === cycle.length) {
        cycle = shuffledIndices(added, rng)
        next = 0
      }
      out[o++] = base + cycle[next++]
    }
  }
  return out
}
