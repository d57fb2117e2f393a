/**
 * Shared fixtures of the export/import/runs tests: real models from the app's own preset factories,
 * saved the way training saves them (model-store), and a temp data home per test file.
 */
import * as tf from '@tensorflow/tfjs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { selectBackend } from '#engine/backend/selection'
import { testBackend } from '../helpers/engine'
import { createModel } from '#engine/training/models'
import { prepareForTraining } from '#engine/training/optimizer'
import { saveModelToDir } from '#engine/store/model-store'
import { loadDataset } from '#engine/data/datasets'
import { toFloatPixels } from '#engine/data/preprocess-data'
import type { PresetName } from '#shared/protocol/training'
import type { ModelMetadata } from '#shared/protocol/model-metadata'

/** The engine's backend here (the one the tests ask for), so "the engine's outputs" are really the engine's. */
export async function useEngineBackend(): Promise<string> {
  const choice = await selectBackend(testBackend())
  return choice.name
}

/** A fresh temp folder. */
export function tempDir(prefix = 'ds-export-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** The first `count` MNIST test images as float pixels [count,28,28,1] and their labels. */
export async function testImages(count: number): Promise<{ x: Float32Array; labels: Uint8Array }> {
  const data = await loadDataset({ kind: 'embedded' })
  return {
    x: toFloatPixels(data.test.images.subarray(0, count * 784)),
    labels: data.test.labels.subarray(0, count)
  }
}

/** Metadata the way training writes it. */
export function sampleMetadata(preset: PresetName, runId = 'test-run'): ModelMetadata {
  return {
    preset,
    runId,
    epochsCompleted: 1,
    hyperparameters: {
      epochs: 1,
      batchSize: 64,
      learningRate: 1e-3,
      validationSplit: 0,
      seed: 7,
      augment: false
    },
    dataset: { name: 'MNIST', source: 'embedded', train: 60000, test: 10000 },
    testAccuracy: 0.9,
    testLoss: 0.3,
    backend: 'wasm',
    appVersion: '0.1.0',
    date: '2026-11-27T12:00:00.000Z'
  }
}

/**
 * A preset model with non-trivial weights: a short fit on a few hundred MNIST images, so conv
 * filters, dense weights and batch-norm statistics all move away from their initial values.
 */
export async function trainedModel(preset: PresetName, images = 512): Promise<tf.LayersModel> {
  const model = createModel(preset, { seed: 7 })
  prepareForTraining(model, 2e-3)
  const data = await loadDataset({ kind: 'embedded' })
  const x = tf.tensor4d(toFloatPixels(data.train.images.subarray(0, images * 784)), [
    images,
    28,
    28,
    1
  ])
  const y = tf.oneHot(tf.tensor1d(Array.from(data.train.labels.subarray(0, images)), 'int32'), 10)
  // No shuffle: fit's shuffle uses Math.random, and tests assert on what these few steps learn.
  await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0, shuffle: false })
  tf.dispose([x, y])
  return model
}

/** Saves a model into `dir` with training-style metadata; optimizer state when asked (checkpoints). */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  preset: PresetName,
  includeOptimizer = false
): Promise<void> {
  await saveModelToDir(model, dir, sampleMetadata(preset), { includeOptimizer })
}

/** Model probabilities as a flat array (tidy, no tensors left). */
export function predictFlat(model: tf.LayersModel, x: Float32Array, count: number): Float32Array {
  return tf.tidy(
    () =>
      (model.predict(tf.tensor4d(x, [count, 28, 28, 1])) as tf.Tensor).dataSync() as Float32Array
  )
}
