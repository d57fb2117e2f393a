/**
 * The engine's current model: the one the last run trained, one imported, or one loaded from disk
 * (the user's last model, else the starter model shipped with the app: model-location.ts).
 * Training and import set it; classify, export and the gallery read it. Also saves and loads model
 * folders with their metadata (`userDefinedMetadata.digitStudio`), and checks a loaded model fits
 * MNIST (28x28x1 in, 10 classes out) before anyone uses it.
 */
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import { IMAGE_SIZE, NUM_CLASSES } from '#shared/mnist'
import type { ModelInUse } from '#shared/protocol/info'
import type { ModelSource, StarterModelInfo } from '#shared/protocol/models'
import type { ModelMetadata } from '#shared/protocol/model-metadata'
import { fileLoader, fileSaver, MODEL_JSON, readSavedMetadata } from './model-io'
import { locateCurrentModel, type ModelLocation } from './model-location'
import { lastModelDir } from './paths'
import { readStarterInfo } from './starter-model'

export interface CurrentModel {
  model: tf.LayersModel
  /** Null for a model saved by another tool (no Digit Studio metadata). */
  metadata: ModelMetadata | null
  /** Folder it was saved to or loaded from; null while only in memory. */
  dir: string | null
  source: ModelSource
  /** The starter model's `starter.json`, when that is the current model. */
  starter?: StarterModelInfo
}

const METADATA_KEY = 'digitStudio'

let current: CurrentModel | null = null

/** The model in memory, or null when nothing was trained or loaded in this engine yet. */
export function getCurrentModel(): CurrentModel | null {
  return current
}

/** Makes `model` the current one; the previous model is disposed (its weights freed). */
export function setCurrentModel(
  model: tf.LayersModel,
  metadata: ModelMetadata | null,
  dir: string | null,
  source: ModelSource = 'trained',
  starter?: StarterModelInfo
): void {
  if (current && current.model !== model) current.model.dispose()
  current = { model, metadata, dir, source, ...(starter ? { starter } : {}) }
}

/** Forgets the current model (its run was deleted), so the next request finds the one now due. */
export function clearCurrentModel(): void {
  current?.model.dispose()
  current = null
}

/** Loads the model at `location` and makes it current; the starter's accuracy comes from starter.json. */
async function loadLocation(location: ModelLocation): Promise<CurrentModel> {
  const { model, metadata } = await loadModelFromDir(location.dir)
  if (location.source !== 'starter') {
    setCurrentModel(model, metadata, location.dir)
    return current!
  }
  const starter = await readStarterInfo(location.dir)
  // The metadata the weights carry is their training run's (a checkpoint's has no test accuracy);
  // what users see is the accuracy of the weights as shipped.
  const shipped = metadata ? { ...metadata, testAccuracy: starter.testAccuracy } : null
  setCurrentModel(model, shipped, location.dir, 'starter', starter)
  return current!
}

/**
 * Which model `requireCurrentModel` gives, for status lines (engine:info), without loading weights:
 * a starter in memory still yields to a model trained since, as there.
 */
export async function currentModelInUse(): Promise<ModelInUse | null> {
  if (current && current.source !== 'starter') {
    const architecture = current.metadata?.architecture
    return {
      source: current.source,
      dir: current.dir ?? '(in memory)',
      testAccuracy: current.metadata?.testAccuracy ?? null,
      ...(architecture ? { architecture } : {})
    }
  }
  const location = await locateCurrentModel()
  if (!location) return null
  if (location.source === 'starter') {
    const { testAccuracy } = await readStarterInfo(location.dir)
    return { source: location.source, dir: location.dir, testAccuracy }
  }
  const metadata = await readSavedMetadata(location.dir)
  return {
    source: location.source,
    dir: location.dir,
    testAccuracy: metadata?.testAccuracy ?? null,
    ...(metadata?.architecture ? { architecture: metadata.architecture } : {})
  }
}

/**
 * The current model: the one in memory, else the user's last model, else the starter model
 * (model-location.ts), so `classify` works right after `train` in another process and on a fresh
 * data home. The starter only stands in: while it is current, each call looks again, so a model
 * the CLI trained beside the app takes over. NO_MODEL when there is none at all.
 */
export async function requireCurrentModel(): Promise<CurrentModel> {
  if (current && current.source !== 'starter') return current
  const location = await locateCurrentModel()
  if (current && (!location || location.dir === current.dir)) return current
  if (!location) {
    throw new EngineError(
      'NO_MODEL',
      `no trained model yet (looked in ${lastModelDir()}): train one first`
    )
  }
  return loadLocation(location)
}

/** Reads the Digit Studio metadata of a model, or null when it has none. */
function readMetadata(model: tf.LayersModel): ModelMetadata | null {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined
  const ours = meta?.[METADATA_KEY]
  return ours && typeof ours === 'object' ? (ours as ModelMetadata) : null
}

/** Checks a model takes [N,28,28,1] and returns 10 probabilities; MODEL_INVALID otherwise. */
function validateMnistModel(model: tf.LayersModel, where: string): void {
  const input = model.inputs.length === 1 ? model.inputs[0].shape : null
  const output = model.outputs.length === 1 ? model.outputs[0].shape : null
  const inputOk =
    input &&
    input.length === 4 &&
    input[1] === IMAGE_SIZE &&
    input[2] === IMAGE_SIZE &&
    input[3] === 1
  if (!inputOk) {
    throw new EngineError(
      'MODEL_INVALID',
      `${where}: input shape is [${input?.join(',') ?? '?'}], expected [null,${IMAGE_SIZE},${IMAGE_SIZE},1]`
    )
  }
  if (!output || output.length !== 2 || output[1] !== NUM_CLASSES) {
    throw new EngineError(
      'MODEL_INVALID',
      `${where}: output shape is [${output?.join(',') ?? '?'}], expected [null,${NUM_CLASSES}]`
    )
  }
}

/**
 * Loads a TF.js layers model folder (model.json + weights), validates it for MNIST and returns it
 * with its metadata. The optimizer state comes along when the folder was saved with it (checkpoints),
 * so training can resume where it stopped. Does not change the current model.
 */
export async function loadModelFromDir(
  dir: string
): Promise<{ model: tf.LayersModel; metadata: ModelMetadata | null }> {
  let model: tf.LayersModel
  try {
    model = await tf.loadLayersModel(fileLoader(dir))
  } catch (err) {
    if (err instanceof EngineError) throw err
    throw new EngineError('MODEL_INVALID', `${join(dir, MODEL_JSON)}: ${(err as Error).message}`)
  }
  try {
    validateMnistModel(model, join(dir, MODEL_JSON))
  } catch (err) {
    model.dispose()
    throw err
  }
  return { model, metadata: readMetadata(model) }
}

/**
 * Saves a model with its metadata into `dir` (replaced atomically). `includeOptimizer` keeps the
 * optimizer's state, which epoch checkpoints need so a resumed run trains exactly like an
 * uninterrupted one.
 */
export async function saveModelToDir(
  model: tf.LayersModel,
  dir: string,
  metadata: ModelMetadata,
  options: { includeOptimizer?: boolean } = {}
): Promise<void> {
  model.setUserDefinedMetadata({ [METADATA_KEY]: metadata })
  const optimizer = options.includeOptimizer ? model.optimizer : null
  if (!optimizer) {
    await model.save(fileSaver(dir))
    return
  }
  // tfjs 4.22 leaks one tensor per save with the optimizer: `getWeights` creates an `iter` scalar
  // that `model.save` never disposes. Wrap it for this one call and free the scalar afterwards,
  // so checkpointing every epoch keeps `tf.memory().numTensors` flat (RELIABILITY D3).
  const original = optimizer.getWeights.bind(optimizer)
  const created: tf.Tensor[] = []
  optimizer.getWeights = async () => {
    const weights = await original()
    created.push(...weights.filter((w) => w.name === 'iter').map((w) => w.tensor))
    return weights
  }
  try {
    await model.save(fileSaver(dir), { includeOptimizer: true })
  } finally {
    delete (optimizer as { getWeights?: unknown }).getWeights
    tf.dispose(created)
  }
}
