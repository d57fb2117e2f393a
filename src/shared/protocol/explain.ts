import * as v from 'valibot'
import type { SerializedError } from '../errors'
import { IMAGE_PIXELS, NUM_CLASSES } from '../mnist'
import { ClassifyFileSchema, ClassifyOptionsSchema, type Box, type ClassifyFile } from './classify'

// Explain area (issue "See inside the network"): what the model computes for one digit (every
// convolution's activations, the first layer's filters, the hidden dense units, the ten
// probabilities) and a saliency map saying which pixels made it choose a class.

/** SmoothGrad and Integrated Gradients use input gradients; occlusion hides patches. */
export const EXPLAIN_METHODS = ['smoothgrad', 'ig', 'occlusion'] as const
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number]

const ExplainOptionsEntries = {
  /** The class to explain; default: the predicted one. */
  target: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(NUM_CLASSES - 1))),
  method: v.optional(v.picklist(EXPLAIN_METHODS)),
  /** Also the map of target minus runner-up ("why this and not that"). Default true. */
  contrast: v.optional(v.boolean()),
  /** Send every layer's activation values, the filters and the dense units. Default true. */
  views: v.optional(v.boolean()),
  /** SmoothGrad's noisy copies per map; fewer is faster and noisier (the live draw pad uses 8). */
  samples: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(256))),
  /** A TF.js layers folder; default: the current model (the last one trained). */
  modelDir: v.optional(v.pipe(v.string(), v.minLength(1)))
}

const ExplainDigitParamsSchema = v.object({
  /** 28x28 bytes, MNIST polarity (white ink on black), row-major: what the model sees. */
  pixels: v.pipe(
    v.instance(Uint8Array),
    v.check((p) => p.length === IMAGE_PIXELS, `pixels must hold ${IMAGE_PIXELS} bytes (28x28)`)
  ),
  ...ExplainOptionsEntries
})
export type ExplainDigitParams = v.InferOutput<typeof ExplainDigitParamsSchema>

const ExplainImageParamsSchema = v.object({
  file: ClassifyFileSchema,
  /** Ignore specks smaller than this, as in classify. */
  minSpeckArea: ClassifyOptionsSchema.entries.minSpeckArea,
  ...ExplainOptionsEntries
})
export type ExplainImageParams = Omit<v.InferOutput<typeof ExplainImageParamsSchema>, 'file'> & {
  file: ClassifyFile
}

/** One layer's output for the digit. `data` and `order` come only when views were asked for. */
export interface LayerActivation {
  name: string
  className: string
  /** [height, width, channels] for convolutions, [units] for dense layers. */
  shape: number[]
  mean: number
  max: number
  /** Values, channel-last as tfjs lays them out. */
  data?: Float32Array
  /** Channel (or unit) indices, strongest mean activation first. */
  order?: number[]
}

/** The first convolution's learned filters, one small gray image per output channel. */
export interface FilterBank {
  layer: string
  height: number
  width: number
  count: number
  /** Filter-major: filter f's pixel (y, x) is at f*height*width + y*width + x. */
  data: Float32Array
}

export interface DigitExplanation {
  /** The predicted class. */
  label: number
  /** The class the saliency map explains. */
  target: number
  /** The most likely class other than the target: the contrast map's other side. */
  runnerUp: number
  method: ExplainMethod
  probabilities: number[]
  /** The model's input, 0..1, 784 values. */
  input: Float32Array
  /** Signed, 784 values: positive where a pixel speaks for the target class. */
  saliency: Float32Array
  /** Map of target minus map of runner-up, or null when not asked for. */
  contrast: Float32Array | null
  /** Convolution blocks, then the last hidden dense layer. */
  layers: LayerActivation[]
  /** Null when views were not asked for or the model has no convolution. */
  filters: FilterBank | null
  millis: number
}

export interface ExplainedDigit {
  /** 0-based, in reading order over every page of the file. */
  index: number
  page: number
  box: Box
  explanation: DigitExplanation
}

export interface ExplainImageResult {
  modelDir: string
  result:
    | { name: string; ok: true; digits: ExplainedDigit[] }
    | { name: string; ok: false; error: SerializedError }
}

/** One epoch's look inside, saved in the run folder (inside/epoch-N.json) while training. */
export interface InsideSnapshot {
  epoch: number
  /** The fixed test digit every snapshot of the run shows. */
  testIndex: number
  label: number
  probabilities: number[]
  input: number[]
  filters: { layer: string; height: number; width: number; count: number; data: number[] } | null
  /** Convolution activations, values rounded to 3 decimals to keep the file small. */
  layers: { name: string; shape: number[]; mean: number; max: number; data: number[] }[]
}

const InsideListParamsSchema = v.object({ runId: v.pipe(v.string(), v.minLength(1)) })
const InsideReadParamsSchema = v.object({
  runId: v.pipe(v.string(), v.minLength(1)),
  epoch: v.pipe(v.number(), v.integer(), v.minValue(1))
})

export interface ExplainMethods {
  /** Explains one 28x28 digit (gallery tile, Classify digit). */
  'explain:digit': { params: ExplainDigitParams; result: DigitExplanation }
  /** Reads digits in an image as classify does, and explains each (CLI, draw pad). */
  'explain:image': { params: ExplainImageParams; result: ExplainImageResult }
  /** The epochs that have an inside snapshot in a run folder, ascending. */
  'inside:list': { params: { runId: string }; result: { epochs: number[] } }
  /** One epoch's snapshot. */
  'inside:read': { params: { runId: string; epoch: number }; result: InsideSnapshot }
}

export const explainParamSchemas = {
  'explain:digit': ExplainDigitParamsSchema,
  'explain:image': ExplainImageParamsSchema,
  'inside:list': InsideListParamsSchema,
  'inside:read': InsideReadParamsSchema
} as const

/** Sent after each epoch's inside snapshot is written, so a view can read it at once. */
export type ExplainEvent = { type: 'inside:snapshot'; runId: string; epoch: number }
