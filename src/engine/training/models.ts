/**
 * The three model presets, in the style of tfjs-examples mnist-node/model.js: layers only, no side
 * effects. The optimizer and loss belong to training (optimizer.ts), so nothing here holds a
 * learning rate. Each preset is an architecture spec (shared/model-spec/presets.ts) built by
 * build-model.ts with seeded initializers, so a run is reproducible from its seed. Augmentation is
 * not a layer: it runs on each batch (augment.ts).
 */
import type * as tf from '@tensorflow/tfjs'
import { PRESET_SPECS } from '#shared/model-spec/presets'
import type { LayerSpec, ModelSpec } from '#shared/model-spec/schema'
import type { ModelSummary, PresetName } from '#shared/protocol/training'
import { buildModel } from './build-model'

interface ModelOptions {
  /** Seeds the weight initializers, so the same seed gives the same starting weights. */
  seed: number
  /** Study knobs (run-options.ts): filters and hidden units times this; absent = 1. */
  widthMultiplier?: number
  /** Every dropout layer's rate; presets without dropout get one before the classifier. */
  dropout?: number
}

/**
 * The study knobs applied to a spec: every convolution's filters and every hidden Dense's units
 * times the width multiplier (never below 1; the classifier stays at 10), every Dropout at the
 * study's rate, and one before the classifier where there is none.
 */
function withStudyKnobs(spec: ModelSpec, options: ModelOptions): ModelSpec {
  const { widthMultiplier, dropout } = options
  if (widthMultiplier === undefined && dropout === undefined) return spec
  const scale = (n: number): number => Math.max(1, Math.round(n * (widthMultiplier ?? 1)))
  const last = spec.layers.length - 1
  const layers: LayerSpec[] = spec.layers.map((l, i) => {
    if (l.type === 'Conv2D') return { ...l, filters: scale(l.filters) }
    if (l.type === 'Dense' && i !== last) return { ...l, units: scale(l.units) }
    if (l.type === 'Dropout' && dropout !== undefined) return { ...l, rate: dropout }
    return l
  })
  if (dropout && !layers.some((l) => l.type === 'Dropout'))
    layers.splice(last, 0, { type: 'Dropout', rate: dropout })
  return { ...spec, layers }
}

/**
 * `seed`: the classic Keras MNIST CNN. Two 3x3 convolutions (32 then 64 filters) learn strokes then
 * parts of digits; 2x2 max-pooling halves the resolution after each; a 128-unit dense layer
 * combines them; softmax gives one probability per digit. ~99 % after 3 epochs.
 */
export function createSeedModel(options: ModelOptions): tf.Sequential {
  return buildModel(withStudyKnobs(PRESET_SPECS.seed, options), options)
}

/**
 * `fast`: a first look in seconds. 8 then 16 filters (a quarter of `seed`) and no hidden dense
 * layer: about 10x less work per image, still ~97-98 % after one epoch.
 */
export function createFastModel(options: ModelOptions): tf.Sequential {
  return buildModel(withStudyKnobs(PRESET_SPECS.fast, options), options)
}

/**
 * `accurate`: two conv blocks of two 3x3 convolutions each (no bias: the batch norm that follows
 * has its own offset), batch normalization after every convolution (steadier, faster training;
 * momentum 0.9 instead of Keras' 0.99, so the inference statistics settle within ~50 batches and
 * even a short run evaluates as well as it trains) and dropout after each block (25 %, the usual
 * rate for conv features) and before the output (50 %, where the dense layer would otherwise
 * overfit first). Meant to be trained with augmentation on (augment.ts).
 */
export function createAccurateModel(options: ModelOptions): tf.Sequential {
  return buildModel(withStudyKnobs(PRESET_SPECS.accurate, options), options)
}

/**
 * Builds the layers of a preset, or of the user's architecture when one is given (uncompiled:
 * training adds its optimizer, optimizer.ts).
 */
export function createModel(
  preset: PresetName,
  options: ModelOptions,
  architecture?: ModelSpec
): tf.Sequential {
  return buildModel(withStudyKnobs(architecture ?? PRESET_SPECS[preset], options), options)
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
