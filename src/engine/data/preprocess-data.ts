/**
 * The classic MNIST recipe (tfjs-examples mnist-node/data.js): pixels to float32 in [0,1], images as
 * [N,28,28,1], labels one-hot, a seeded validation split taken from the training set, the test set
 * kept apart. Splits keep their pixels as bytes and each batch converts its own (128 x 784 values:
 * a fraction of a millisecond): floats for all of MNIST would add ~220 MB to the trainer's peak.
 */
import * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from '#shared/mnist'
import type { Dataset } from './datasets'
import { createRng, deriveSeed, shuffledIndices } from '../random'

/** Pixels are bytes 0-255; the network wants [0,1]. */
const PIXEL_SCALE = 1 / 255

/**
 * One split ready for training: pixel bytes 0-255 (row-major, 784 per image; converted to [0,1]
 * floats batch by batch) and labels 0-9.
 */
export interface PreparedSplit {
  pixels: Uint8Array
  labels: Uint8Array
  count: number
}
export interface PreparedData {
  train: PreparedSplit
  validation: PreparedSplit
  /** The test split's pixels are a view into the loaded file (no copy), shown by the gallery too. */
  test: PreparedSplit
}

interface PrepareOptions {
  /** Fraction of the (limited) training set held out for validation, 0 - 0.5. */
  validationSplit: number
  seed: number
  /** Use only the first N training images after the seeded shuffle. */
  trainLimit?: number
  /** Evaluate on the first N test images. */
  testLimit?: number
}

/** Converts uint8 pixels to float32 in [0,1], into `out` (a new array when not given). */
export function toFloatPixels(
  bytes: Uint8Array,
  out: Float32Array = new Float32Array(bytes.length)
): Float32Array {
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] * PIXEL_SCALE
  return out
}

function gather(images: Uint8Array, labels: Uint8Array, order: Uint32Array): PreparedSplit {
  const pixels = new Uint8Array(order.length * IMAGE_PIXELS)
  const l = new Uint8Array(order.length)
  for (let i = 0; i < order.length; i++) {
    const src = order[i] * IMAGE_PIXELS
    pixels.set(images.subarray(src, src + IMAGE_PIXELS), i * IMAGE_PIXELS)
    l[i] = labels[order[i]]
  }
  return { pixels, labels: l, count: order.length }
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
      pixels: testImages,
      labels: dataset.test.labels.subarray(0, testCount),
      count: testCount
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
    toFloatPixels(
      split.pixels.subarray(idx * IMAGE_PIXELS, (idx + 1) * IMAGE_PIXELS),
      x.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS)
    )
    y[i * NUM_CLASSES + split.labels[idx]] = 1
  }
  return {
    xs: tf.tensor4d(x.subarray(0, size * IMAGE_PIXELS), [size, IMAGE_SIZE, IMAGE_SIZE, 1]),
    ys: tf.tensor2d(y.subarray(0, size * NUM_CLASSES), [size, NUM_CLASSES])
  }
}

/** Images `start .. start+size)` in split order as float [size,28,28,1]. */
export function sequentialImages(split: PreparedSplit, start: number, size: number): tf.Tensor4D {
  return tf.tensor4d(
    toFloatPixels(split.pixels.subarray(start * IMAGE_PIXELS, (start + size) * IMAGE_PIXELS)),
    [size, IMAGE_SIZE, IMAGE_SIZE, 1]
  )
}
