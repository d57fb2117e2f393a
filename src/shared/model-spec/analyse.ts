/**
 * Shape inference for a user's architecture, in plain TypeScript (no tfjs), so the editor can
 * show each layer's output shape and parameters as the user types, and the engine and the CLI
 * refuse the same stacks with the same words. Impossible stacks are explained at the layer that
 * breaks them ("the 3×3 pool after the 2×2 pool leaves nothing to pool: its input is 1×1").
 */
import * as v from 'valibot'
import { IMAGE_SIZE, NUM_CLASSES } from '../mnist'
import { describeIssue } from '../schema-issues'
import { LayerSpecSchema, type LayerSpec } from './schema'

/** The most parameters an architecture may have: the same cap as model import (RELIABILITY P4). */
export const MAX_SPEC_PARAMETERS = 20_000_000

/** [height, width, channels] for images, [units] after Flatten/GlobalAveragePooling2D/Dense. */
export type Shape = number[]

export interface LayerAnalysis {
  index: number
  type: string
  /** Null once an earlier layer (or this one) broke the stack. */
  outputShape: Shape | null
  params: number
  /** Forward-pass multiply-adds ×2 (plus element-wise work) per image, in millions. */
  mflops: number
  /** What is wrong with this layer, in words; absent when it is fine. */
  error?: string
  /** The field at fault (`filters`, `poolSize`, ...), for the editor to mark. */
  field?: string
}

export interface SpecAnalysis {
  ok: boolean
  layers: LayerAnalysis[]
  /** Problems of the whole model (too many parameters, wrong output). */
  modelErrors: string[]
  totalParams: number
  /** Batch-norm moving statistics are parameters Keras counts but training does not change. */
  trainableParams: number
  mflopsPerImage: number
  /** Floats held per image by the forward pass (input and every layer output). */
  activationFloatsPerImage: number
}

export const INPUT_SHAPE: Shape = [IMAGE_SIZE, IMAGE_SIZE, 1]

const fmt = (n: number): string => n.toLocaleString('en-US')
const size = (s: Shape): number => s.reduce((a, b) => a * b, 1)
const describeShape = (s: Shape): string => (s.length === 3 ? `${s[0]}×${s[1]}` : `${s[0]}`)

/** "the 2×2 pool", "the 3×3 convolution": how the text names a layer that shrinks the image. */
function nameOf(layer: LayerSpec): string {
  if (layer.type === 'Conv2D') return `the ${layer.kernelSize}×${layer.kernelSize} convolution`
  if (layer.type === 'MaxPooling2D' || layer.type === 'AveragePooling2D')
    return `the ${layer.poolSize}×${layer.poolSize} pool`
  return `the ${layer.type}`
}

/** Output side of a window sliding over `n` pixels, as Keras computes it. */
function slide(n: number, window: number, stride: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - window) / stride) + 1
}

interface Step {
  shape: Shape
  params: number
  trainable: number
  flops: number
}

/** One layer's effect, or the sentence saying why it can't follow what came before. */
function step(layer: LayerSpec, input: Shape, shrunkBy: LayerSpec | null): Step | string {
  const image = input.length === 3
  const needsImage = (what: string): string =>
    `${what} needs an image (height × width × channels) but gets a flat vector of ${fmt(input[0])}: put it before Flatten`
  switch (layer.type) {
    case 'Conv2D': {
      if (!image) return needsImage('Conv2D')
      const [h, w, c] = input
      const k = layer.kernelSize
      if (layer.padding === 'valid' && (h < k || w < k)) {
        const after = shrunkBy ? ` after ${nameOf(shrunkBy)}` : ''
        return `the ${k}×${k} convolution${after} has only ${h}×${w} pixels to cover: use a smaller kernel, padding "same", or fewer pools before it`
      }
      const oh = slide(h, k, layer.strides, layer.padding)
      const ow = slide(w, k, layer.strides, layer.padding)
      const f = layer.filters
      const params = k * k * c * f + (layer.useBias ? f : 0)
      return { shape: [oh, ow, f], params, trainable: params, flops: 2 * k * k * c * f * oh * ow }
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (!image) return needsImage(layer.type)
      const [h, w, c] = input
      const p = layer.poolSize
      const s = layer.strides ?? p
      if (layer.padding === 'valid' && (h < p || w < p)) {
        const after = shrunkBy ? ` after ${nameOf(shrunkBy)}` : ''
        return `the ${p}×${p} pool${after} leaves nothing to pool: its input is ${h}×${w}`
      }
      const oh = slide(h, p, s, layer.padding)
      const ow = slide(w, p, s, layer.padding)
      return { shape: [oh, ow, c], params: 0, trainable: 0, flops: p * p * oh * ow * c }
    }
    case 'BatchNormalization': {
      const c = input[input.length - 1]
      return { shape: input, params: 4 * c, trainable: 2 * c, flops: 2 * size(input) }
    }
    case 'Dropout':
      return { shape: input, params: 0, trainable: 0, flops: 0 }
    case 'Activation':
      return { shape: input, params: 0, trainable: 0, flops: size(input) }
    case 'Flatten':
      return { shape: [size(input)], params: 0, trainable: 0, flops: 0 }
    case 'GlobalAveragePooling2D': {
      if (!image) return needsImage('GlobalAveragePooling2D')
      return { shape: [input[2]], params: 0, trainable: 0, flops: size(input) }
    }
    case 'Dense': {
      if (image)
        return `Dense needs a flat input but gets a ${input.join('×')} image: put Flatten or GlobalAveragePooling2D before it`
      const n = input[0]
      const params = n * layer.units + (layer.useBias ? layer.units : 0)
      return { shape: [layer.units], params, trainable: params, flops: 2 * n * layer.units }
    }
  }
}

/** The field a valibot issue is about (`filters`, `kernelSize`, ...). */
const fieldOf = (issue: v.BaseIssue<unknown>): string | undefined =>
  v.getDotPath(issue) ?? undefined

/**
 * Checks every layer (field limits, then shapes) and totals the model. Accepts unvalidated input
 * (the editor's fields as typed), so each bad field is reported at its layer instead of throwing.
 */
export function analyseLayers(layers: readonly unknown[]): SpecAnalysis {
  const out: LayerAnalysis[] = []
  let shape: Shape | null = INPUT_SHAPE
  let shrunkBy: LayerSpec | null = null
  let total = 0
  let trainable = 0
  let flops = 0
  let activations = size(INPUT_SHAPE)
  layers.forEach((raw, index) => {
    const type = String((raw as { type?: unknown } | null)?.type ?? '?')
    const parsed = v.safeParse(LayerSpecSchema, raw)
    if (!parsed.success) {
      const issue = parsed.issues[0]
      const field = fieldOf(issue)
      const error = field ? `${field}: ${describeIssue(issue)}` : describeIssue(issue)
      out.push({ index, type, outputShape: null, params: 0, mflops: 0, error, field })
      shape = null
      return
    }
    const layer = parsed.output
    if (!shape) {
      out.push({ index, type, outputShape: null, params: 0, mflops: 0 })
      return
    }
    const result = step(layer, shape, shrunkBy)
    if (typeof result === 'string') {
      out.push({ index, type, outputShape: null, params: 0, mflops: 0, error: result })
      shape = null
      return
    }
    if (result.shape.length === 3 && (result.shape[0] < shape[0] || result.shape[1] < shape[1]))
      shrunkBy = layer
    shape = result.shape
    total += result.params
    trainable += result.trainable
    flops += result.flops
    activations += size(result.shape)
    out.push({ index, type, outputShape: shape, params: result.params, mflops: result.flops / 1e6 })
  })
  const modelErrors: string[] = []
  const final = shape as Shape | null
  if (final && !(final.length === 1 && final[0] === NUM_CLASSES))
    modelErrors.push(
      `the model must end in ${NUM_CLASSES} outputs (one per digit) but ends in ${describeShape(final)}`
    )
  if (total > MAX_SPEC_PARAMETERS)
    modelErrors.push(
      `${fmt(total)} parameters, over the limit of ${fmt(MAX_SPEC_PARAMETERS)}: use fewer filters or units, or pool before Flatten`
    )
  return {
    ok: modelErrors.length === 0 && final !== null && out.every((l) => !l.error),
    layers: out,
    modelErrors,
    totalParams: total,
    trainableParams: trainable,
    mflopsPerImage: flops / 1e6,
    activationFloatsPerImage: activations
  }
}

/**
 * Training memory, estimated: every parameter four times (weights, gradients, Adam's two moments)
 * and every activation three times per image in the batch (forward value, its gradient, and the
 * backward pass's temporaries), as float32. An estimate meant to refuse the absurd, not to budget.
 */
export function estimateTrainingBytes(analysis: SpecAnalysis, batchSize: number): number {
  return 4 * (4 * analysis.totalParams + 3 * batchSize * analysis.activationFloatsPerImage)
}

/** The first problem of an analysis as one line naming the layer (for the CLI and engine errors). */
export function firstProblem(analysis: SpecAnalysis): string | null {
  const bad = analysis.layers.find((l) => l.error)
  if (bad) return `layer ${bad.index + 1} (${bad.type}): ${bad.error}`
  return analysis.modelErrors[0] ?? null
}
