/**
 * One training run: a custom loop (rather than `model.fit`) so that each batch can be augmented
 * with its own seed, the loss checked for NaN (tfjs has no TerminateOnNaN), stop and pause honoured
 * within one batch, batch metrics throttled, and each epoch checkpointed with optimizer state.
 * Every batch yields to the event loop, so the engine reads stop/pause requests mid-epoch.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import * as tf from '@tensorflow/tfjs'
import { EngineError, serializeError } from '#shared/errors'
import type { EpochEvent } from '#shared/protocol/training-events'
import { augmentBatch } from './augment'
import { dropoutSeed } from './seeded-dropout'
import { saveModelToDir } from '../store/model-store'
import { evaluateProbabilities, predictSplit } from './predict'
import { recalibrateBatchNorm } from './recalibrate-batch-norm'
import { BatchBuffers, batchTensors, epochOrder } from '../data/preprocess-data'
import { deriveSeed } from '../random'
import { writeJsonAtomic } from '../store/run-folder'
import { setLearningRate } from './optimizer'
import { EarlyStopper } from './early-stopping'
import { epochLearningRate } from './lr-schedule'
import { PauseGate } from './pause-gate'
import { runMetadata } from './run-metadata'
import type { RunOutcome, RunSetup } from './run-setup'

/** Batch events at most every 50 ms (~20 a second): enough for a live chart, cheap for IPC. */
const BATCH_EVENT_INTERVAL_MS = 50

export class TrainingRun {
  private stopRequested = false
  private readonly gate = new PauseGate()
  private pausedMs = 0

  constructor(private readonly s: RunSetup) {}

  /** Asks the loop to stop after the current batch. */
  stop(): boolean {
    this.stopRequested = true
    // A paused run wakes up to see the stop request.
    this.gate.resume()
    return true
  }

  /** Pauses after the current batch; false when already paused. */
  pause(): boolean {
    if (this.stopRequested || !this.gate.pause()) return false
    this.s.emit({ type: 'training:paused', runId: this.s.runId })
    return true
  }

  /** Resumes a paused run; false when it wasn't paused. */
  resume(): boolean {
    if (!this.gate.resume()) return false
    this.s.emit({ type: 'training:resumed', runId: this.s.runId })
    return true
  }

  private async waitWhilePaused(): Promise<void> {
    if (!this.gate.paused) return
    const t0 = performance.now()
    await this.gate.wait()
    this.pausedMs += performance.now() - t0
  }

  /** Runs the epochs; never throws: failures become a `training:error` event. */
  async run(): Promise<RunOutcome> {
    try {
      return await this.loop()
    } catch (err) {
      this.s.emit({ type: 'training:error', runId: this.s.runId, error: serializeError(err) })
      return { kind: 'failed' }
    }
  }

  private async loop(): Promise<RunOutcome> {
    const stopper = this.s.config.earlyStopping
      ? new EarlyStopper(this.s.config.earlyStopping)
      : null
    try {
      return await this.epochs(stopper)
    } finally {
      stopper?.dispose()
    }
  }

  private async epochs(stopper: EarlyStopper | null): Promise<RunOutcome> {
    const { config, model, data, runId, emit } = this.s
    const { batchSize, epochs } = config
    const orderOf =
      this.s.epochOrder ?? ((epoch: number) => epochOrder(data.train.count, config.seed, epoch))
    const epochLength = orderOf(this.s.initialEpoch + 1).length
    const batchesPerEpoch = Math.ceil(epochLength / batchSize)
    const buffers = new BatchBuffers(batchSize)
    const metrics: EpochEvent[] = []
    const started = performance.now()
    let trainMs = 0
    let trainSamples = 0
    let epochsCompleted = epochs
    let stoppedEarly = false
    for (let epoch = this.s.initialEpoch + 1; epoch <= epochs; epoch++) {
      const order = orderOf(epoch)
      setLearningRate(model.optimizer, epochLearningRate(config, epoch))
      const epochStart = performance.now()
      const pausedAtEpochStart = this.pausedMs
      let lossSum = 0
      let correctSum = 0
      let seen = 0
      let lastEmit = 0
      for (let batch = 0; batch < batchesPerEpoch; batch++) {
        const start = batch * batchSize
        const size = Math.min(batchSize, epochLength - start)
        const t0 = performance.now()
        const { xs, ys } = batchTensors(data.train, order, start, size, buffers)
        const input = config.augment ? augmentBatch(xs, deriveSeed(config.seed, epoch, batch)) : xs
        let loss: number
        let accuracy: number
        try {
          ;({ loss, accuracy } = await this.s.stepper.step(
            input,
            ys,
            dropoutSeed(config.seed, epoch, batch)
          ))
        } finally {
          tf.dispose([xs, ys, input])
        }
        trainMs += performance.now() - t0
        trainSamples += size
        if (!Number.isFinite(loss)) {
          throw new EngineError(
            'NAN_LOSS',
            `loss became ${loss} at epoch ${epoch}, batch ${batch + 1}: training diverged (learning rate ${config.learningRate} is probably too high)`
          )
        }
        lossSum += loss * size
        correctSum += accuracy * size
        seen += size
        const now = performance.now()
        if (now - lastEmit >= BATCH_EVENT_INTERVAL_MS || batch === batchesPerEpoch - 1) {
          lastEmit = now
          const seconds = (now - epochStart - (this.pausedMs - pausedAtEpochStart)) / 1000
          emit({
            type: 'training:batch',
            runId,
            epoch,
            batch: batch + 1,
            batchesPerEpoch,
            loss,
            accuracy,
            samplesPerSecond: seen / seconds
          })
        }
        await yieldToEventLoop()
        await this.waitWhilePaused()
        if (this.stopRequested) {
          emit({ type: 'training:stopped', runId, epoch, batch: batch + 1, reason: 'user' })
          return { kind: 'stopped' }
        }
      }
      const trainSeconds =
        (performance.now() - epochStart - (this.pausedMs - pausedAtEpochStart)) / 1000
      const val =
        data.validation.count > 0
          ? await predictSplit(model, data.validation, () => this.stopRequested)
          : null
      if (this.stopRequested) {
        emit({ type: 'training:stopped', runId, epoch, batch: batchesPerEpoch, reason: 'user' })
        return { kind: 'stopped' }
      }
      const valEval = val ? evaluateProbabilities(val, data.validation.labels) : null
      const seconds = (performance.now() - epochStart - (this.pausedMs - pausedAtEpochStart)) / 1000
      const done = epoch - this.s.initialEpoch
      const event: EpochEvent = {
        type: 'training:epoch',
        runId,
        epoch,
        epochs,
        loss: lossSum / seen,
        accuracy: correctSum / seen,
        valLoss: valEval?.loss ?? null,
        valAccuracy: valEval?.accuracy ?? null,
        seconds,
        samplesPerSecond: seen / trainSeconds,
        etaSeconds:
          ((performance.now() - started - this.pausedMs) / 1000 / done) * (epochs - epoch),
        numTensors: tf.memory().numTensors
      }
      metrics.push(event)
      emit(event)
      // Checkpoint with optimizer state: a crash now loses at most the epoch in progress.
      await saveModelToDir(model, this.s.folder.checkpointDir, runMetadata(this.s, epoch, null), {
        includeOptimizer: true
      })
      await writeJsonAtomic(this.s.folder.metrics, metrics)
      await this.s.onEpochEnd?.(epoch)
      if (stopper && valEval && stopper.observe(model, epoch, valEval.loss) && epoch < epochs) {
        epochsCompleted = epoch
        stoppedEarly = true
        break
      }
    }
    // The model that is evaluated and saved is the best epoch's, not the last one's.
    stopper?.restoreBest(model)
    const earlyStop = stopper ? { bestEpoch: stopper.bestEpoch, stoppedEarly } : undefined
    if (this.s.validateOnly) {
      return {
        kind: 'validated',
        metrics,
        epochsCompleted,
        trainSamples,
        totalSeconds: (performance.now() - started - this.pausedMs) / 1000,
        earlyStop
      }
    }
    // Inference statistics from plain digits, not the augmented ones training saw.
    if (config.augment) await recalibrateBatchNorm(model, data.train, () => this.stopRequested)
    const probabilities = await predictSplit(model, data.test, () => this.stopRequested)
    if (!probabilities) {
      emit({
        type: 'training:stopped',
        runId,
        epoch: epochs,
        batch: batchesPerEpoch,
        reason: 'user'
      })
      return { kind: 'stopped' }
    }
    return {
      kind: 'done',
      evaluation: evaluateProbabilities(probabilities, data.test.labels),
      probabilities,
      epochsCompleted,
      earlyStop,
      trainSeconds: trainMs / 1000,
      trainSamples,
      totalSeconds: (performance.now() - started - this.pausedMs) / 1000
    }
  }
}
