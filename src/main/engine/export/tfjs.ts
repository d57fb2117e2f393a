/**
 * TF.js layers export: a folder with model.json + weights.bin that `tf.loadLayersModel` reads in a
 * browser or Node. The metadata travels in model.json's `userDefinedMetadata.digitStudio` (preset,
 * hyperparameters, dataset, test accuracy, app version, dates), where tfjs keeps it on load.
 */
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { fileSaver, MODEL_JSON, WEIGHTS_BIN } from '../model-io'
import type { ExportMetadata } from './metadata'

/** Serialises a model without writing anything, so its metadata can be set on a copy. */
export async function captureArtifacts(model: tf.LayersModel, includeOptimizer: boolean): Promise<tf.io.ModelArtifacts> {
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

/** True when the model has a compiled optimizer whose state can be saved (for continued training). */
export function hasOptimizer(model: tf.LayersModel): boolean {
  return model.optimizer != null
}

/**
 * Writes `model` as a TF.js layers folder at `outDir`, replacing any previous export atomically
 * (model-io's `fileSaver` swaps the whole folder). Optimizer state is included when the model has
 * one, so an import can keep training where it stopped. Returns the files written.
 */
export async function exportTfjs(model: tf.LayersModel, metadata: ExportMetadata, outDir: string): Promise<string[]> {
  let artifacts: tf.io.ModelArtifacts
  try {
    artifacts = await captureArtifacts(model, hasOptimizer(model))
  } catch {
    // An optimizer that was never stepped may have no weights to save; the model alone still exports.
    artifacts = await captureArtifacts(model, false)
  }
  artifacts.userDefinedMetadata = { ...(artifacts.userDefinedMetadata ?? {}), digitStudio: metadata }
  await fileSaver(outDir).save!(artifacts)
  return [join(outDir, MODEL_JSON), join(outDir, WEIGHTS_BIN)]
}
