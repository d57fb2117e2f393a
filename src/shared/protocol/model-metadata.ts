import type { PresetName } from './training'

/** What every saved model carries in its model.json (`userDefinedMetadata.digitStudio`). */
export interface ModelMetadata {
  /** For a custom architecture, the preset of the form (not the layers trained): see `architecture`. */
  preset: PresetName
  /** The name of the user's own architecture (issue 14) the model was built from; absent for a preset. */
  architecture?: string
  runId: string
  /** Epochs trained so far (a resumed run continues from here). */
  epochsCompleted: number
  hyperparameters: {
    epochs: number
    batchSize: number
    learningRate: number
    learningRateDecay?: number
    validationSplit: number
    seed: number
    augment: boolean
    trainLimit?: number
    testLimit?: number
  }
  dataset: { name: string; source: string; train: number; test: number }
  /** Null for an epoch checkpoint (not evaluated on the test set yet). */
  testAccuracy: number | null
  testLoss: number | null
  backend: string
  appVersion: string
  /** ISO 8601. */
  date: string
}
