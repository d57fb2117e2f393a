/**
 * Explains one 28x28 digit: one forward pass for the probabilities and the layer views, then the
 * saliency map of the target class (and its contrast with the runner-up) by the chosen method.
 * Every tensor is made and freed inside tf.tidy (RELIABILITY D3).
 */
import * as tf from '@tensorflow/tfjs'
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from '#shared/mnist'
import type { DigitExplanation, ExplainMethod, LayerActivation } from '#shared/protocol/explain'
import { forwardPass } from './forward'
import { integratedGradients, smoothGrad } from './gradient-saliency'
import { describeLayers, firstLayerFilters } from './layer-views'
import { describeAnatomy, type ModelAnatomy } from './model-anatomy'
import { occlusionMap } from './occlusion'

export interface ExplainOptions {
  target?: number
  method?: ExplainMethod
  contrast?: boolean
  views?: boolean
  samples?: number
}

// Anatomy is read once per model object; a new model (training, import) is a new key.
const anatomies = new WeakMap<tf.LayersModel, ModelAnatomy>()

/** The model's anatomy, cached per model object. */
export function anatomyOf(model: tf.LayersModel): ModelAnatomy {
  let anatomy = anatomies.get(model)
  if (!anatomy) {
    anatomy = describeAnatomy(model)
    anatomies.set(model, anatomy)
  }
  return anatomy
}

/** Bytes 0..255 to the model's 0..1 input. */
export function unitPixels(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(IMAGE_PIXELS)
  for (let i = 0; i < IMAGE_PIXELS; i++) out[i] = bytes[i] / 255
  return out
}

/** A saliency map by `method` for weights over the classes (one-hot, or +1/-1 for a contrast). */
export function saliencyMap(
  anatomy: ModelAnatomy,
  input: Float32Array,
  method: ExplainMethod,
  classWeights: number[],
  samples?: number
): Float32Array {
  if (method === 'ig') return integratedGradients(anatomy, input, classWeights)
  if (method === 'occlusion') return occlusionMap(anatomy, input, classWeights)
  return smoothGrad(anatomy, input, classWeights, samples ? { samples } : {})
}

function oneHot(index: number, value = 1): number[] {
  const w = new Array<number>(NUM_CLASSES).fill(0)
  w[index] = value
  return w
}

/** Probabilities and layer views from one forward pass. */
function lookInside(
  anatomy: ModelAnatomy,
  input: Float32Array,
  withData: boolean
): { probabilities: number[]; layers: LayerActivation[] } {
  let result: { probabilities: number[]; layers: LayerActivation[] } | null = null
  // The values are read out inside the scope, so every tensor of the pass is freed by tidy.
  tf.tidy(() => {
    const pass = forwardPass(anatomy, tf.tensor4d(input, [1, IMAGE_SIZE, IMAGE_SIZE, 1]))
    const probabilities = Array.from(tf.softmax(pass.logits).dataSync())
    result = { probabilities, layers: describeLayers(anatomy, pass.outputs, withData) }
  })
  return result!
}

/** Probabilities, arg-max label and layer views of one digit: one forward pass, no saliency. */
export function digitActivations(
  model: tf.LayersModel,
  input: Float32Array
): Pick<DigitExplanation, 'label' | 'probabilities' | 'input' | 'layers' | 'filters'> {
  const anatomy = anatomyOf(model)
  const { probabilities, layers } = lookInside(anatomy, input, true)
  return {
    label: rankClasses(probabilities)[0],
    probabilities,
    input,
    layers,
    filters: firstLayerFilters(anatomy)
  }
}

/** Class indices, most probable first. */
function rankClasses(probabilities: number[]): number[] {
  return Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a])
}

/** Everything the Inside view and `explain` show for one digit (0..1 input, 784 values). */
export function explainDigit(
  model: tf.LayersModel,
  input: Float32Array,
  options: ExplainOptions = {}
): DigitExplanation {
  const started = performance.now()
  const anatomy = anatomyOf(model)
  const method = options.method ?? 'smoothgrad'
  const views = options.views ?? true
  const { probabilities, layers } = lookInside(anatomy, input, views)
  const ranked = rankClasses(probabilities)
  const label = ranked[0]
  const target = options.target ?? label
  const runnerUp = ranked.find((c) => c !== target)!
  const saliency = saliencyMap(anatomy, input, method, oneHot(target), options.samples)
  let contrast: Float32Array | null = null
  if (options.contrast ?? true) {
    const weights = oneHot(target)
    weights[runnerUp] = -1
    contrast = saliencyMap(anatomy, input, method, weights, options.samples)
  }
  return {
    label,
    target,
    runnerUp,
    method,
    probabilities,
    input,
    saliency,
    contrast,
    layers,
    filters: views ? firstLayerFilters(anatomy) : null,
    millis: performance.now() - started
  }
}
