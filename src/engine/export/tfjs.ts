/**
 * TF.js layers export: a folder with model.json + weights.bin that `tf.loadLayersModel` reads in a
 * browser or Node. The metadata travels in model.json's `userDefinedMetadata.digitStudio` (preset,
 * hyperparameters, dataset, test accuracy, app version, dates), where tfjs keeps it on load.
 */
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { fileSaver, MODEL_JSON, WEIGHTS_BIN } from '../store/model-io'
import type { ExportMetadata } from './metadata'

/** Serialises a model without writing anything, so its metadata can be set on a copy. */
async function captureArtifacts(
  model: tf.LayersModel,
  includeOptimizer: boolean
): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null
  const sink: tf.io.IOHandler = {
    save: async (artifacts) => {
      captured = artifacts
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    }
  }
  await model.save(sink, { includeOptimizer })
  return captured!
}

/**
 * Writes `model` as a TF.js layers folder at `outDir`, replacing any previous export atomically
 * (model-io's `fileSaver` swaps the whole folder). `includeOptimizer` carries the optimizer's state
 * (Adam's moments and step count) so an import keeps training where it stopped; it is set only
 * when the source really saved that state, since a freshly compiled optimizer has none worth
 * claiming. Returns the files written.
 */
export async function exportTfjs(
  model: tf.LayersModel,
  metadata: ExportMetadata,
  outDir: string,
  includeOptimizer = false
): Promise<string[]> {
  const artifacts = await captureArtifacts(model, includeOptimizer && model.optimizer != null)
  artifacts.userDefinedMetadata = {
    ...(artifacts.userDefinedMetadata ?? {}),
    digitStudio: metadata
  }
  await fileSaver(outDir).save!(artifacts)
  return [join(outDir, MODEL_JSON), join(outDir, WEIGHTS_BIN)]
}
