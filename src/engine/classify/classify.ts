/**
 * Classify the user's own images: decode (image/decode.ts; PDF pages one at a time) -> page
 * pipeline (gray, polarity, background, threshold, segment, normalise) -> one batched prediction
 * per page. A bad file gives a per-file error and never stops the others.
 */
import * as tf from '@tensorflow/tfjs'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { EngineError, serializeError } from '#shared/errors'
import { IMAGE_SIZE, NUM_CLASSES } from '#shared/mnist'
import {
  DEFAULT_MIN_SPECK_AREA,
  LOW_CONFIDENCE_THRESHOLD,
  type ClassifyFile,
  type ClassifyImagesParams,
  type ClassifyImagesResult,
  type DigitPrediction,
  type FileResult,
  type PageResult
} from '#shared/protocol/classify'
import type { ModelSource } from '#shared/protocol/models'
import { decodeThread } from './image/decode-pool'
import { analysePage } from './image/page-pipeline'
import { toUnitRange } from './image/normalise-digit'
import { MODEL_JSON } from '../store/model-io'
import { loadModelFromDir, requireCurrentModel } from '../store/model-store'
import { lastModelDir } from '../store/paths'

interface ResolvedModel {
  model: tf.LayersModel
  dir: string
  /** Whose model: the user's, the starter shipped with the app, or the folder the request named. */
  source: ModelSource | 'folder'
}

// A model named by folder is kept between requests (a drop of 20 files loads it once); it is
// reloaded when its model.json changes on disk, e.g. after a new training run saved over it.
let cached: { dir: string; mtimeMs: number; model: tf.LayersModel } | null = null

/**
 * The model to classify with: `modelDir` when given, else the engine's current model (the one just
 * trained, or the last saved one). NO_MODEL says how to get one.
 */
export async function resolveModel(modelDir?: string): Promise<ResolvedModel> {
  if (!modelDir) {
    try {
      const current = await requireCurrentModel()
      return { model: current.model, dir: current.dir ?? '(in memory)', source: current.source }
    } catch (err) {
      if (err instanceof EngineError && err.code === 'NO_MODEL') {
        throw new EngineError(
          'NO_MODEL',
          `no trained model found in ${lastModelDir()}: train one with \`digit-studio train\` (or the Train view), or pass --model DIR`
        )
      }
      throw err
    }
  }
  const file = join(modelDir, MODEL_JSON)
  if (!existsSync(file))
    throw new EngineError(
      'NO_MODEL',
      `${modelDir}: no ${MODEL_JSON} there (a TF.js layers model folder is expected)`
    )
  const mtimeMs = statSync(file).mtimeMs
  if (cached && cached.dir === modelDir && cached.mtimeMs === mtimeMs)
    return { model: cached.model, dir: modelDir, source: 'folder' }
  const { model } = await loadModelFromDir(modelDir)
  cached?.model.dispose()
  cached = { dir: modelDir, mtimeMs, model }
  return { model, dir: modelDir, source: 'folder' }
}

/** Probabilities for a batch of 28x28 byte images; every tensor is freed (RELIABILITY D3). */
export async function predictDigits(
  model: tf.LayersModel,
  inputs: Uint8Array[]
): Promise<Float32Array[]> {
  if (inputs.length === 0) return []
  const pixels = IMAGE_SIZE * IMAGE_SIZE
  const x = new Float32Array(inputs.length * pixels)
  inputs.forEach((img, i) =>
    x.set(toUnitRange({ width: IMAGE_SIZE, height: IMAGE_SIZE, data: img }), i * pixels)
  )
  const probs = tf.tidy(
    () => model.predict(tf.tensor4d(x, [inputs.length, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor
  )
  const flat = (await probs.data()) as Float32Array
  probs.dispose()
  return inputs.map((_, i) => flat.slice(i * NUM_CLASSES, (i + 1) * NUM_CLASSES))
}

/** Top-3 labels with their probabilities, most likely first. */
export function top3(probs: Float32Array): { label: number; probability: number }[] {
  return [...probs]
    .map((probability, label) => ({ label, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 3)
}

async function classifyOne(
  file: ClassifyFile,
  model: tf.LayersModel,
  minSpeck: number,
  pictures: boolean
): Promise<FileResult> {
  const started = performance.now()
  try {
    const pages: PageResult[] = []
    // Pages arrive one at a time from the decode thread and each is dropped once analysed, so a
    // multi-page TIFF never holds more than one decoded page (RELIABILITY I6, I7).
    const format = await decodeThread.decodeFile(
      file.bytes,
      file.name,
      async (page, index, count) => {
        const label = count > 1 ? `${file.name} page ${index + 1}` : file.name
        const analysis = analysePage(page, minSpeck, pictures, label)
        const probs = await predictDigits(
          model,
          analysis.pieces.map((p) => p.input.data)
        )
        const predictions: DigitPrediction[] = analysis.pieces.map((piece, i) => {
          const best = top3(probs[i])
          return {
            label: best[0].label,
            confidence: best[0].probability,
            top3: best,
            lowConfidence: best[0].probability < LOW_CONFIDENCE_THRESHOLD,
            box: piece.box,
            line: piece.line,
            ...(pictures
              ? {
                  mask: piece.mask,
                  input: {
                    width: IMAGE_SIZE,
                    height: IMAGE_SIZE,
                    channels: 1 as const,
                    data: piece.input.data
                  }
                }
              : {})
          }
        })
        pages.push({
          page: index,
          width: analysis.width,
          height: analysis.height,
          digits: predictions.map((p) => p.label).join(''),
          predictions,
          inverted: analysis.inverted,
          threshold: analysis.threshold ?? -1,
          ...(pictures ? { thumbnail: analysis.thumbnail, mask: analysis.mask } : {})
        })
      }
    )
    if (pages.every((p) => p.predictions.length === 0)) {
      throw new EngineError(
        'IMAGE_INVALID',
        `${file.name}: no handwriting found (blank page, or ink too faint)`
      )
    }
    const digits = pages
      .map((p) => p.digits)
      .filter(Boolean)
      .join(' ')
    return {
      name: file.name,
      ok: true,
      format,
      digits,
      pages,
      millis: performance.now() - started
    }
  } catch (err) {
    return { name: file.name, ok: false, error: serializeError(err) }
  }
}

/**
 * `classify:images`: every file in order, each with its own result or error. Only the model can
 * fail the whole request, and it is resolved before any file is decoded.
 */
export async function classifyImages(params: ClassifyImagesParams): Promise<ClassifyImagesResult> {
  const started = performance.now()
  const { model, dir, source } = await resolveModel(params.options?.modelDir)
  const minSpeck = params.options?.minSpeckArea ?? DEFAULT_MIN_SPECK_AREA
  const pictures = params.options?.pictures ?? true
  const results: FileResult[] = []
  for (const file of params.files) results.push(await classifyOne(file, model, minSpeck, pictures))
  return { modelDir: dir, modelSource: source, results, millis: performance.now() - started }
}
