/**
 * Events streamed while training (engine -> host): started, batch (throttled), epoch, done, stopped,
 * paused/resumed, error. Numbers may be NaN/Infinity: flagged, never charted as 0.
 */
import type { SerializedError } from '../errors'
import type { ModelSummary, SkippedImage, TrainConfig } from './training'

export interface TrainingStartedEvent {
  type: 'training:started'
  runId: string
  config: TrainConfig
  summary: ModelSummary
  trainCount: number
  validationCount: number
  testCount: number
  batchesPerEpoch: number
  backend: string
  /** Threads computing each batch's gradients: 2 with the data-parallel trainer, else 1. */
  threads?: number
  /** Epochs already trained when resuming from a checkpoint (the first epoch event is this + 1). */
  initialEpoch?: number
  /** Images of a labelled folder (the dataset, or --add-images) that were not used, and why. */
  skippedImages?: SkippedImage[]
}
export interface BatchEvent {
  type: 'training:batch'
  runId: string
  /** 1-based, as in every training event. */
  epoch: number
  /** 1-based: batches finished in this epoch (the dashboard's batch bar and chart x rely on it). */
  batch: number
  batchesPerEpoch: number
  loss: number
  accuracy: number
  samplesPerSecond: number
}
export interface EpochEvent {
  type: 'training:epoch'
  runId: string
  epoch: number
  epochs: number
  loss: number
  accuracy: number
  valLoss: number | null
  valAccuracy: number | null
  seconds: number
  samplesPerSecond: number
  etaSeconds: number
  /** `tf.memory().numTensors` after the epoch: flat across epochs unless something leaks (RELIABILITY D3). */
  numTensors?: number
}
export interface DoneEvent {
  type: 'training:done'
  runId: string
  testLoss: number
  testAccuracy: number
  testCount: number
  /** confusion[true][predicted] */
  confusion: number[][]
  perClassAccuracy: number[]
  totalSeconds: number
  samplesPerSecond: number
  backend: string
  modelDir: string
  /** `<dataHome>/runs/<runId>`: config.json, metrics.json, result.json, checkpoint/, model/. */
  runDir?: string
  /** Epochs trained in total (a resumed run counts the earlier ones too). */
  epochsCompleted?: number
  /** Peak resident memory of the engine process during the run. */
  peakRssBytes?: number
  /** With added images (fine-tune): what was added and the before/after comparison. */
  addedImages?: number
  skippedImages?: number
  heldOutCount?: number
  heldOutAccuracyBefore?: number
  heldOutAccuracyAfter?: number
  /** The starting model's accuracy on the same test images (fine-tune only). */
  testAccuracyBefore?: number
  /** The model the run started from (fine-tune only); it stays in runs history. */
  fromModel?: string
  /** With early stopping: the epoch whose weights were kept, and whether it ended before `epochs`. */
  bestEpoch?: number
  stoppedEarly?: boolean
}
interface StoppedEvent {
  type: 'training:stopped'
  runId: string
  epoch: number
  batch: number
  reason: 'user'
}
export interface PausedEvent {
  type: 'training:paused' | 'training:resumed'
  runId: string
}
interface TrainingErrorEvent {
  type: 'training:error'
  runId: string
  error: SerializedError
}
export type TrainingEvent =
  | TrainingStartedEvent
  | BatchEvent
  | EpochEvent
  | DoneEvent
  | StoppedEvent
  | PausedEvent
  | TrainingErrorEvent
