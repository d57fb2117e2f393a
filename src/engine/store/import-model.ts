/**
 * Importing a TF.js layers model (RELIABILITY P2): from Digit Studio or any other tool, as long as
 * it takes 28x28x1 images and gives 10 classes. model-store's loader checks the JSON, the weight
 * files and their byte lengths, and the input/output shapes, each with a message naming the file;
 * a model that passes becomes the engine's current model for classify, the gallery and continued
 * training (`training:start` with `resumeFrom: modelDir`, keeping the optimizer state it carries).
 */
import type * as tf from '@tensorflow/tfjs'
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { EngineError } from '#shared/errors'
import type { CurrentModelInfo } from '#shared/protocol/models'
import type { ModelMetadata } from '#shared/protocol/model-metadata'
import { loadDatasetCached } from '../data/dataset-cache'
import { MODEL_JSON } from './model-io'
import { summarizeModel } from '../training/models'
import {
  getCurrentModel,
  loadModelFromDir,
  requireCurrentModel,
  setCurrentModel,
  type CurrentModel
} from './model-store'
import { evaluateProbabilities, predictSplit } from '../training/predict'
import { setPredictions } from './predictions-store'

type Measured = CurrentModelInfo['measured']

/** The last imported model and what its import measured, for `model:current` while it stays current. */
let lastMeasured: { model: tf.LayersModel; measured: Measured } | null = null

/** Accepts a model folder or the path of its model.json; returns the absolute folder. */
export function resolveModelFolder(path: string): string {
  const abs = resolve(path)
  if (!existsSync(abs)) throw new EngineError('FILE_UNREADABLE', `${abs}: no such file or folder`)
  if (statSync(abs).isDirectory()) return abs
  if (basename(abs).toLowerCase().endsWith('.json')) {
    if (basename(abs) !== MODEL_JSON) {
      // Weights manifests name files relative to model.json; our loader expects that name.
      throw new EngineError(
        'MODEL_INVALID',
        `${abs}: expected a TF.js model folder or its ${MODEL_JSON}`
      )
    }
    return dirname(abs)
  }
  throw new EngineError(
    'MODEL_INVALID',
    `${abs}: not a TF.js layers model (choose its folder or ${MODEL_JSON})`
  )
}

/**
 * A TF.js *graph* model (tfjs-converter's default output) has no layers to train or inspect; say
 * so plainly instead of tfjs' "Improper config format".
 */
async function refuseGraphModel(dir: string): Promise<void> {
  let json: { format?: unknown; modelTopology?: { node?: unknown } } | null
  try {
    json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8'))
  } catch {
    return // The loader reports unreadable or invalid JSON with its own message.
  }
  if (json?.format === 'graph-model' || Array.isArray(json?.modelTopology?.node)) {
    throw new EngineError(
      'MODEL_INVALID',
      `${join(dir, MODEL_JSON)}: a TF.js graph model, not a layers model. Digit Studio imports layers ` +
        'models (saved with model.save(), or converted with --output_format tfjs_layers_model)'
    )
  }
}

/** Whether a model folder's weights manifest carries optimizer state (group "optimizer"). */
export async function folderHasOptimizer(dir: string): Promise<boolean> {
  try {
    const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON
    return json.weightsManifest.some((g) => g.weights.some((w) => w.group === 'optimizer'))
  } catch {
    return false
  }
}

/** The current model as data for the UI: where it came from, its layers, its metadata. */
async function describeModel(
  current: CurrentModel,
  measured: Measured = null
): Promise<CurrentModelInfo> {
  const dir = current.dir ?? ''
  const metadata: ModelMetadata | null = current.metadata
  const summary = summarizeModel(current.model, metadata?.preset ?? 'seed')
  return {
    source: current.source,
    modelDir: dir,
    name: current.model.name,
    layers: summary.layers,
    totalParams: summary.totalParams,
    hasOptimizer: dir !== '' && (await folderHasOptimizer(dir)),
    metadata,
    measured: measured ?? (lastMeasured?.model === current.model ? lastMeasured.measured : null),
    ...(current.starter ? { starter: current.starter } : {})
  }
}

/**
 * Runs the model over the MNIST test set and hands the result to the gallery (predictions store),
 * as a finished run does. Doubles as a last check: a model that can't predict is refused.
 */
async function evaluateOnTestSet(model: tf.LayersModel): Promise<NonNullable<Measured>> {
  const dataset = await loadDatasetCached({ kind: 'embedded' })
  const test = {
    pixels: dataset.test.images,
    labels: dataset.test.labels,
    count: dataset.test.count
  }
  const probabilities = (await predictSplit(model, test))!
  const evaluation = evaluateProbabilities(probabilities, test.labels)
  setPredictions({
    images: test.pixels,
    labels: test.labels,
    probabilities,
    predicted: evaluation.predicted,
    confidence: evaluation.confidence
  })
  return { dataset: dataset.name, accuracy: evaluation.accuracy, count: test.count }
}

/**
 * Validates and loads a TF.js layers model, and makes it the engine's current model (the previous
 * one is disposed only once the new one loaded, so a bad file changes nothing).
 */
export async function importModel(path: string): Promise<CurrentModelInfo> {
  const dir = resolveModelFolder(path)
  await refuseGraphModel(dir)
  const { model, metadata } = await loadModelFromDir(dir)
  let measured: NonNullable<Measured>
  try {
    measured = await evaluateOnTestSet(model)
  } catch (err) {
    model.dispose()
    throw new EngineError(
      'MODEL_INVALID',
      `${join(dir, MODEL_JSON)}: the model loaded but cannot predict (${(err as Error).message})`
    )
  }
  setCurrentModel(model, metadata, dir, 'imported')
  lastMeasured = { model, measured }
  return describeModel(getCurrentModel()!, measured)
}

/** The current model (loading the last trained one, else the starter, if the engine has none yet), or null. */
export async function currentModelInfo(): Promise<CurrentModelInfo | null> {
  try {
    return await describeModel(await requireCurrentModel())
  } catch (err) {
    if (err instanceof EngineError && err.code === 'NO_MODEL') return null
    throw err
  }
}
