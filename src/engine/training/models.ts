/**
 * The three model presets, each a `createXModel()` factory in the style of tfjs-examples
 * mnist-node/model.js: layers only, no side effects. The optimizer and loss belong to training
 * (optimizer.ts), so nothing here holds a learning rate. Initializers are seeded so a run is
 * reproducible from its seed. Augmentation is not a layer: it runs on each batch (augment.ts).
 */
import * as tf from '@tensorflow/tfjs'
import { IMAGE_SIZE, NUM_CLASSES } from '#shared/mnist'
import type { ModelSummary, PresetName } from '#shared/protocol/training'
import { batchNormalization } from './batch-norm'

const INPUT_SHAPE: [number, number, number] = [IMAGE_SIZE, IMAGE_SIZE, 1]
interface ModelOptions {
  /** Seeds the weight initializers, so the same seed gives the same starting weights. */
  seed: number
  /** Study knobs (run-options.ts): filters and hidden units times this; absent = 1. */
  widthMultiplier?: number
  /** Every dropout layer's rate; presets without dropout get one before the classifier. */
  dropout?: number
}

/** `n` filters or units scaled by the width multiplier, never below 1. */
function width(n: number, options: ModelOptions): number {
  return Math.max(1, Math.round(n * (options.widthMultiplier ?? 1)))
}

/** The dropout before a classifier that has none of its own, when a study asks for one. */
function addStudyDropout(model: tf.Sequential, options: ModelOptions): void {
  if (options.dropout) model.add(tf.layers.dropout({ rate: options.dropout }))
}

/** Seeded initializers: each layer gets its own stream derived from the run's seed. */
function seeded(
  seed: number
): () => { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform> } {
  let layer = 0
  return () => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 101 + layer++ })
  })
}

/**
 * `seed`: the classic Keras MNIST CNN. Two 3x3 convolutions (32 then 64 filters) learn strokes then
 * parts of digits; 2x2 max-pooling halves the resolution after each; a 128-unit dense layer
 * combines them; softmax gives one probability per digit. ~99 % after 3 epochs.
 */
export function createSeedModel(options: ModelOptions): tf.Sequential {
  const { seed } = options
  const init = seeded(seed)
  const model = tf.sequential({ name: 'seed' })
  model.add(
    tf.layers.conv2d({
      inputShape: INPUT_SHAPE,
      filters: width(32, options),
      kernelSize: 3,
      activation: 'relu',
      ...init()
    })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(
    tf.layers.conv2d({ filters: width(64, options), kernelSize: 3, activation: 'relu', ...init() })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(tf.layers.flatten())
  model.add(tf.layers.dense({ units: width(128, options), activation: 'relu', ...init() }))
  addStudyDropout(model, options)
  model.add(tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', ...init() }))
  return model
}

/**
 * `fast`: a first look in seconds. 8 then 16 filters (a quarter of `seed`) and no hidden dense
 * layer: about 10x less work per image, still ~97-98 % after one epoch.
 */
export function createFastModel(options: ModelOptions): tf.Sequential {
  const { seed } = options
  const init = seeded(seed)
  const model = tf.sequential({ name: 'fast' })
  model.add(
    tf.layers.conv2d({
      inputShape: INPUT_SHAPE,
      filters: width(8, options),
      kernelSize: 3,
      activation: 'relu',
      ...init()
    })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(
    tf.layers.conv2d({ filters: width(16, options), kernelSize: 3, activation: 'relu', ...init() })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(tf.layers.flatten())
  addStudyDropout(model, options)
  model.add(tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', ...init() }))
  return model
}

/**
 * Batch-norm moving averages: 0.9 instead of Keras' 0.99, so the inference statistics settle
 * within ~50 batches and even a short run evaluates as well as it trains.
 */
const BN_MOMENTUM = 0.9

/**
 * `accurate`: two conv blocks of two 3x3 convolutions each, batch normalization after every
 * convolution (steadier, faster training) and dropout after each block and before the output
 * (so it can't memorise writers). Meant to be trained with augmentation on (augment.ts).
 */
export function createAccurateModel(options: ModelOptions): tf.Sequential {
  const { seed } = options
  const init = seeded(seed)
  const model = tf.sequential({ name: 'accurate' })
  const convBlock = (filters: number, first: boolean): void => {
    const conv = (extra: object): void => {
      // No bias: the batch norm that follows has its own offset (beta).
      model.add(
        tf.layers.conv2d({
          filters: width(filters, options),
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          ...init(),
          ...extra
        })
      )
      model.add(batchNormalization({ momentum: BN_MOMENTUM }))
      model.add(tf.layers.activation({ activation: 'relu' }))
    }
    conv(first ? { inputShape: INPUT_SHAPE } : {})
    conv({})
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
    // 25 % dropout after each block: the usual rate for conv features.
    model.add(tf.layers.dropout({ rate: options.dropout ?? 0.25 }))
  }
  convBlock(32, true)
  convBlock(64, false)
  model.add(tf.layers.flatten())
  model.add(tf.layers.dense({ units: width(256, options), useBias: false, ...init() }))
  model.add(batchNormalization({ momentum: BN_MOMENTUM }))
  model.add(tf.layers.activation({ activation: 'relu' }))
  // 50 % before the classifier, where the dense layer would otherwise overfit first.
  model.add(tf.layers.dropout({ rate: options.dropout ?? 0.5 }))
  model.add(tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', ...init() }))
  return model
}

const FACTORIES: Record<PresetName, (o: ModelOptions) => tf.Sequential> = {
  seed: createSeedModel,
  fast: createFastModel,
  accurate: createAccurateModel
}

/** Builds the layers of a preset (uncompiled: training adds its optimizer, optimizer.ts). */
export function createModel(preset: PresetName, options: ModelOptions): tf.Sequential {
  return FACTORIES[preset](options)
}

/** Layer, output shape and parameter count as data, for the UI table and the CLI header. */
export function summarizeModel(model: tf.LayersModel, preset: PresetName): ModelSummary {
  const layers = model.layers.map((layer) => {
    const shape = layer.outputShape
    const outputShape = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[]
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape,
      params: layer.countParams()
    }
  })
  const count = (weights: tf.LayerVariable[]): number =>
    weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0)
  return {
    preset,
    layers,
    totalParams: layers.reduce((n, l) => n + l.params, 0),
    trainableParams: count(model.trainableWeights)
  }
}
