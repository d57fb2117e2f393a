/** What a training run is given (RunSetup) and how it ends (RunOutcome): the loop's contract. */
import type * as tf from '@tensorflow/tfjs'
import type { EngineEvent } from '#shared/engine-protocol'
import type { ModelSummary, TrainConfig } from '#shared/protocol/training'
import type { EpochEvent } from '#shared/protocol/training-events'
import type { Dataset } from '../data/datasets'
import type { PreparedData } from '../data/preprocess-data'
import type { RunFolder } from '../store/run-folder'
import type { Evaluation } from './predict'
import type { Stepper } from './train-step'

export interface RunSetup {
  runId: string
  config: TrainConfig
  model: tf.LayersModel
  summary: ModelSummary
  data: PreparedData
  dataset: Dataset
  folder: RunFolder
  /** Epochs already trained (resume); the loop runs epochs initialEpoch+1 .. config.epochs. */
  initialEpoch: number
  /** Runs one optimisation step per batch (this thread, or split across cores). */
  stepper: Stepper
  backend: string
  appVersion: string
  /**
   * The name of the custom architecture trained when config.json can't say (a run started from a
   * model, which carries it in its metadata); else `config.architecture`'s name is used.
   */
  architecture?: string
  emit(event: EngineEvent): void
  /**
   * The order of an epoch's training images (fine-tuning mixes added images into every batch);
   * default: a seeded shuffle of the training split. Same length every epoch.
   */
  epochOrder?: (epoch: number) => Uint32Array
  /** Called after each epoch's checkpoint (the Inside view's per-epoch snapshot). */
  onEpochEnd?: (epoch: number) => Promise<void>
  /**
   * A study trial: end after the last epoch with the validation metrics only, never touching the
   * test set (selection must not see it).
   */
  validateOnly?: boolean
}

/** How early stopping ended a run (absent when it was off). */
interface EarlyStopResult {
  bestEpoch: number
  stoppedEarly: boolean
}

/** How a run ended; the caller decides what to keep (done: the model and predictions). */
export type RunOutcome =
  | {
      kind: 'done'
      evaluation: Evaluation
      probabilities: Float32Array
      epochsCompleted: number
      trainSeconds: number
      trainSamples: number
      totalSeconds: number
      earlyStop?: EarlyStopResult
    }
  | {
      kind: 'validated'
      metrics: EpochEvent[]
      epochsCompleted: number
      trainSamples: number
      totalSeconds: number
      earlyStop?: EarlyStopResult
    }
  | { kind: 'stopped' }
  | { kind: 'failed' }
