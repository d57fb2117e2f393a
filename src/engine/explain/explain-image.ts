/**
 * `explain:image`: the digits of one image file, found exactly as `classify` finds them (decode,
 * page pipeline), each explained. A bad file is a per-file error, never a failed request.
 */
import * as tf from '@tensorflow/tfjs'
import { EngineError, serializeError } from '#shared/errors'
import { DEFAULT_MIN_SPECK_AREA } from '#shared/protocol/classify'
import type {
  ExplainImageParams,
  ExplainImageResult,
  ExplainedDigit
} from '#shared/protocol/explain'
import { resolveModel } from '../classify/classify'
import { decodeImage } from '../classify/image/decode'
import { analysePage } from '../classify/image/page-pipeline'
import { explainDigit, unitPixels, type ExplainOptions } from './explain-digit'

async function explainFile(
  model: tf.LayersModel,
  params: ExplainImageParams,
  options: ExplainOptions
): Promise<ExplainedDigit[]> {
  const { file } = params
  const decoded = await decodeImage(file.bytes, file.name)
  const digits: ExplainedDigit[] = []
  for (const [page, image] of decoded.pages.entries()) {
    const analysis = analysePage(image, params.minSpeckArea ?? DEFAULT_MIN_SPECK_AREA, false)
    for (const piece of analysis.pieces) {
      digits.push({
        index: digits.length,
        page,
        box: piece.box,
        explanation: explainDigit(model, unitPixels(piece.input.data), options)
      })
    }
  }
  if (digits.length === 0)
    throw new EngineError(
      'IMAGE_INVALID',
      `${file.name}: no handwriting found (blank page, or ink too faint)`
    )
  return digits
}

/** Explains every digit of `params.file`; only the model can fail the request as a whole. */
export async function explainImage(params: ExplainImageParams): Promise<ExplainImageResult> {
  const { model, dir } = await resolveModel(params.modelDir)
  const { target, method, contrast, views, samples } = params
  try {
    const digits = await explainFile(model, params, { target, method, contrast, views, samples })
    return { modelDir: dir, result: { name: params.file.name, ok: true, digits } }
  } catch (err) {
    if (err instanceof EngineError && err.code === 'MODEL_INVALID') throw err
    return {
      modelDir: dir,
      result: { name: params.file.name, ok: false, error: serializeError(err) }
    }
  }
}
