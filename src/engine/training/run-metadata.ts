import type { ModelMetadata } from '#shared/protocol/model-metadata'
import type { Evaluation } from './predict'
import type { RunSetup } from './run-setup'

/**
 * What a run's saved model carries in its model.json: the settings, the data, the test result
 * (null for an epoch checkpoint, not evaluated yet) and where it was trained.
 */
export function runMetadata(
  s: RunSetup,
  epochsCompleted: number,
  test: Evaluation | null
): ModelMetadata {
  const { config, dataset, data } = s
  const architecture = s.architecture ?? config.architecture?.name
  return {
    preset: config.preset,
    // Else a model built from the user's own layers would read as the preset ("preset seed").
    ...(architecture ? { architecture } : {}),
    runId: s.runId,
    epochsCompleted,
    hyperparameters: {
      epochs: config.epochs,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      ...(config.learningRateDecay !== undefined
        ? { learningRateDecay: config.learningRateDecay }
        : {}),
      validationSplit: config.validationSplit,
      seed: config.seed,
      augment: config.augment,
      ...(config.trainLimit !== undefined ? { trainLimit: config.trainLimit } : {}),
      ...(config.testLimit !== undefined ? { testLimit: config.testLimit } : {})
    },
    dataset: {
      name: dataset.name,
      source: dataset.source,
      train: data.train.count,
      test: data.test.count
    },
    testAccuracy: test?.accuracy ?? null,
    testLoss: test?.loss ?? null,
    backend: s.backend,
    appVersion: s.appVersion,
    date: new Date().toISOString()
  }
}
