/**
 * The classic MNIST recipe (tfjs-examples mnist-node/data.js): pixels to float32 in [0,1], images as
 * [N,28,28,1], labels one-hot, a seeded validation split taken from the training set, the test set
 * kept apart. Pixels are converted once per run; each batch is then a copy of ready floats, because
 * on the wasm fallback per-batch overhead is a visible share of the time.
 */
import * as tf from '@tensorflow/tfjs'
import { EngineError } from '../../shared/errors'
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from '../../shared/mnist'
import type { Dataset } from './datasets'
import { createRng, deriveSeed, shuffledIndices } from './random'

/** Pixels are bytes 0-255; the network wants [0,1]. */
const PIXEL_SCALE = 1 / 255

/** One split ready for training: float pixels (row-major, 784 per image) and labels 0-9. */
export interface PreparedSplit {
  x: Float32Array
  labels: Uint8Array
  count: number
}
export interface PreparedTestSplit extends PreparedSplit {
  /** The original bytes, for the gallery (no copy: a view into the loaded file). */
  images: Uint8Array
}
export interface PreparedData {
  train: PreparedSplit
  validation: PreparedSplit
  test: PreparedTestSplit
}

export interface PrepareOptions {
  /** Fraction of the (limited) training set held out for validation, 0 - 0.5. */
  validationSplit: number
  seed: number
  /** Use only the first N training images after the seeded shuffle. */
  trainLimit?: number
  /** Evaluate on the first N test images. */
  testLimit?: number
}

/** Converts uint8 pixels to float32 in [0,1]. */
export function toFloatPixels(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] * PIXEL_SCALE
  return out
}

function gather(images: Uint8Array, labels: Uint8Array, order: Uint32Array): PreparedSplit {
  const x = new Float32Array(order.length * IMAGE_PIXELS)
  const l = new Uint8Array(order.length)
  for (let i = 0; i < order.length; i++) {
    const src = order[i] * IMAGE_PIXELS
    for (let p = 0; p < IMAGE_PIXELS; p++) x[i * IMAGE_PIXELS + p] = images[src + p] * PIXEL_SCALE
    l[i] = labels[order[i]]
  }
  return { x, labels: l, count: order.length }
}

/**
 * Splits and converts a loaded dataset. The shuffle that picks the validation images is seeded, so
 * the same seed always validates on the same images (and a resumed run continues the same split).
 */
export function prepareData(dataset: Dataset, options: PrepareOptions): PreparedData {
  const order = shuffledIndices(dataset.train.count, createRng(deriveSeed(options.seed, 0x5b11)))
  const used = order.subarray(0, Math.min(options.trainLimit ?? order.length, order.length))
  const valCount = Math.round(used.length * options.validationSplit)
  if (used.length - valCount < 1) {
    throw new EngineError(
      'BAD_REQUEST',
      `no training images left after a ${options.validationSplit} validation split of ${used.length}`
    )
  }
  const testCount = Math.min(options.testLimit ?? dataset.test.count, dataset.test.count)
  const testImages = dataset.test.images.subarray(0, testCount * IMAGE_PIXELS)
  return {
    validation: gather(dataset.train.images, dataset.train.labels, used.subarray(0, valCount)),
    train: gather(dataset.train.images, dataset.train.labels, used.subarray(valCount)),
    test: {
      x: toFloatPixels(testImages),
      labels: dataset.test.labels.subarray(0, testCount),
      count: testCount,
      images: testImages
    }
  }
}

/** Shuffled order of the training split for one epoch: depends on (seed, epoch) only, so resume repeats it. */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  return shuffledIndices(count, createRng(deriveSeed(seed, epoch, 0xe90c)))
}

/** Reusable buffers for one batch, so a training epoch allocates no JS memory per batch. */
export class BatchBuffers {
  readonly x: Float32Array
  readonly y: Float32Array
  constructor(readonly batchSize: number) {
    this.x = new Float32Array(batchSize * IMAGE_PIXELS)
    this.y = new Float32Array(batchSize * NUM_CLASSES)
  }
}

/**
 * Tensors for images `order[start .. start+size)` of a split: xs [size,28,28,1] and one-hot ys.
 * The caller disposes them (or creates them inside `tf.tidy`).
 */
export function batchTensors(
  split: PreparedSplit,
  order: Uint32Array,
  start: number,
  size: number,
  buffers: BatchBuffers
): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const { x, y } = buffers
  y.fill(0, 0, size * NUM_CLASSES)
  for (let i = 0; i < size; i++) {
    const idx = order[start + i]
    x.set(split.x.subarray(idx * IMAGE_PIXELS, (idx + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS)
    y[i * NUM_CLASSES + split.labels[idx]] = 1
  }
  return {
    xs: tf.tensor4d(x.subarray(0, size * IMAGE_PIXELS), [size, IMAGE_SIZE, IMAGE_SIZE, 1]),
    ys: tf.tensor2d(y.subarray(0, size * NUM_CLASSES), [size, NUM_CLASSES])
  }
}

/** Images `start .. start+size)` in split order as [size,28,28,1] (no copy on the JS side). */
export function sequentialImages(split: PreparedSplit, start: number, size: number): tf.Tensor4D {
  return tf.tensor4d(split.x.subarray(start * IMAGE_PIXELS, (start + size) * IMAGE_PIXELS), [
    size,
    IMAGE_SIZE,
    IMAGE_SIZE,
    1
  ])
}
