/**
 * The engine's one training run at a time: sets a run up (dataset, split, model or checkpoint,
 * run folder), starts it, relays stop/pause/resume, and when it completes keeps the model and the
 * test predictions in the engine and saves the model (run folder, last model, --out).
 */
import * as tf from '@tensorflow/tfjs'
import { dirname } from 'node:path'
import type { EngineEvent } from '#shared/engine-protocol'
import { EngineError, serializeError } from '#shared/errors'
import type { TrainConfig } from '#shared/protocol/training'
import { sweepDataHome } from '../store/data-home'
import { acquireFolderLock, withFolderLock } from '../store/folder-lock'
import { assertModelFolderReplaceable } from '../store/model-io'
import { checkDestination, describeWriteError } from '../store/write-errors'
import type { BackendChoice } from '../backend/selection'
import { loadDatasetCached } from '../data/dataset-cache'
import { acquireEngine } from '../busy-lock'
import { createModel, summarizeModel } from './models'
import { assertTrainable } from './check-architecture'
import { prepareForFineTune, prepareForTraining } from './optimizer'
import { addedRunReport, prepareAddedRun, type AddedRun } from './fine-tune'
import { loadModelFromDir, saveModelToDir, setCurrentModel } from '../store/model-store'
import { appVersion, lastModelDir } from '../store/paths'
import { setPredictions } from '../store/predictions-store'
import { prepareData } from '../data/preprocess-data'
import { peakRssBytes } from '../process-stats'
import { createRunFolder, newRunId, writeJsonAtomic } from '../store/run-folder'
import { effectiveConfig } from './resume-config'
import { TrainingRun } from './train'
import { runMetadata } from './run-metadata'
import type { RunOutcome, RunSetup } from './run-setup'
import { createStepper, logTo } from './parallel/stepper'
import type { Stepper } from './train-step'
import { saveInsideSnapshot } from '../explain/inside-snapshots'
import { assertEarlyStoppingPossible } from './early-stopping'

let active: TrainingRun | null = null
let settingUp = false

/** True while a run is being set up or trained (other areas refuse to touch run files then). */
export function isTraining(): boolean {
  return active !== null || settingUp
}

/** The model a run trains, with its optimizer (owned by optimizer.ts), and where it starts. */
async function modelFor(config: TrainConfig): Promise<{
  model: tf.LayersModel
  initialEpoch: number
  preset: TrainConfig['preset']
  /** The custom architecture's name a model started from carries (its metadata). */
  architecture?: string
}> {
  if (config.fromModel) {
    if (config.resumeFrom)
      throw new EngineError(
        'BAD_REQUEST',
        '--from starts a new run from a model and --resume continues a run: give one of them'
      )
    // A new run from the model's weights: fresh optimizer, epochs counted from zero.
    const { model, metadata } = await loadModelFromDir(config.fromModel)
    prepareForFineTune(model, config.learningRate)
    return {
      model,
      initialEpoch: 0,
      preset: metadata?.preset ?? config.preset,
      architecture: metadata?.architecture
    }
  }
  if (!config.resumeFrom) {
    if (config.architecture) assertTrainable(config.architecture, config.batchSize)
    const model = createModel(
      config.preset,
      { seed: config.seed, widthMultiplier: config.widthMultiplier, dropout: config.dropout },
      config.architecture
    )
    prepareForTraining(model, config.learningRate)
    return { model, initialEpoch: 0, preset: config.preset }
  }
  const { model, metadata } = await loadModelFromDir(config.resumeFrom)
  // A checkpoint carries its optimizer (with Adam's moments); a plain model gets a fresh one.
  prepareForTraining(model, config.learningRate)
  return {
    model,
    initialEpoch: metadata?.epochsCompleted ?? 0,
    preset: metadata?.preset ?? config.preset,
    architecture: metadata?.architecture
  }
}

/**
 * Sets up and starts a run; resolves with its id once it is under way (progress comes as events).
 * Set-up failures (bad dataset folder, unreadable checkpoint) reject, so the caller sees them at once.
 */
export async function startTraining(
  requested: TrainConfig,
  backend: BackendChoice,
  emit: (e: EngineEvent) => void
): Promise<{ runId: string }> {
  const release = acquireEngine('a training run')
  settingUp = true
  let stepper: Stepper | null = null
  let releaseRunLock: (() => void) | null = null
  try {
    // Leftovers of a crash mid-save (RELIABILITY D4, R2) are removed before anything new is written.
    await sweepDataHome()
    const config = await effectiveConfig(requested)
    // Refuse a --out folder holding other files now, not after the whole run (RELIABILITY R1).
    if (config.outDir) await checkOutDir(config.outDir)
    const dataset = await loadDatasetCached(config.dataset)
    const base = prepareData(dataset, config)
    assertEarlyStoppingPossible(config, base.validation.count)
    const { model, initialEpoch, preset, architecture } = await modelFor(config)
    const added = config.addImages
      ? await prepareAddedRun(
          config.addImages,
          { seed: config.seed, batchSize: config.batchSize, fromModel: !!config.fromModel },
          model,
          base
        )
      : null
    const data = added?.data ?? base
    const skippedImages = [...(dataset.skipped ?? []), ...(added?.skipped ?? [])]
    const { givenSettings: _given, ...settings } = config
    const runConfig = { ...settings, preset }
    const runId = newRunId()
    const folder = await createRunFolder(runId)
    // The run's lock says "in progress" to every process sharing the data home (RELIABILITY R5).
    releaseRunLock = await acquireFolderLock(folder.dir, `training run ${runId}`)
    await writeJsonAtomic(folder.config, runConfig)
    const summary = summarizeModel(model, preset)
    // Two threads where the data-parallel trainer applies; disposed by finish() however the run ends.
    const created = await createStepper(model, logTo(emit))
    stepper = created.stepper
    const setup: RunSetup = {
      runId,
      config: runConfig,
      model,
      summary,
      data,
      dataset,
      folder,
      initialEpoch,
      stepper,
      backend: backend.kind,
      appVersion: appVersion(),
      ...(architecture ? { architecture } : {}),
      emit: unlockingOnEnd(emit, releaseRunLock),
      ...(added ? { epochOrder: added.epochOrder } : {}),
      onEpochEnd: (epoch) => insideSnapshot(runId, folder.dir, model, epoch, data, emit)
    }
    const run = new TrainingRun(setup)
    active = run
    emit({
      type: 'training:started',
      runId,
      config: runConfig,
      summary,
      trainCount: data.train.count,
      validationCount: data.validation.count,
      testCount: data.test.count,
      batchesPerEpoch: Math.ceil(
        (added ? added.epochOrder(initialEpoch + 1).length : data.train.count) / config.batchSize
      ),
      backend: backend.kind,
      threads: created.threads,
      initialEpoch,
      ...(skippedImages.length ? { skippedImages } : {})
    })
    // Start on the next turn of the event loop, so the reply with the run id goes out first.
    setImmediate(() => {
      void run
        .run()
        .then((outcome) => finish(setup, outcome, added))
        .catch((err: unknown) => {
          setup.emit({ type: 'training:error', runId, error: serializeError(err) })
          // finish() disposes it first thing; this covers a failure before that (idempotent).
          void setup.stepper.dispose().catch(() => undefined)
        })
        .finally(() => {
          if (active === run) active = null
          releaseRunLock?.()
          release()
        })
    })
    return { runId }
  } catch (err) {
    await stepper?.dispose().catch(() => undefined)
    releaseRunLock?.()
    release()
    throw err
  } finally {
    settingUp = false
  }
}

const LAST_EVENTS = new Set(['training:done', 'training:stopped', 'training:error'])

/**
 * The run's event sender, dropping the run's lock just before its last event: whoever reacts to
 * "stopped" or "done" (delete the run, say) must find it unlocked (RELIABILITY R5).
 */
function unlockingOnEnd(
  emit: (e: EngineEvent) => void,
  unlock: () => void
): (e: EngineEvent) => void {
  return (event) => {
    if (LAST_EVENTS.has(event.type)) unlock()
    emit(event)
  }
}

async function checkOutDir(outDir: string): Promise<void> {
  await checkDestination(
    outDir,
    (target, err) =>
      new EngineError('BAD_REQUEST', `cannot write ${target}: ${describeWriteError(target, err)}`)
  )
  await assertModelFolderReplaceable(outDir)
}

/**
 * The epoch's look inside the model (inside/epoch-N.json). A snapshot that can't be made (an
 * imported model the explain views don't support) is logged, never a reason to stop training.
 */
async function insideSnapshot(
  runId: string,
  dir: string,
  model: tf.LayersModel,
  epoch: number,
  data: RunSetup['data'],
  emit: (e: EngineEvent) => void
): Promise<void> {
  try {
    if (!(await saveInsideSnapshot(dir, model, epoch, data.test.pixels))) return
    emit({ type: 'inside:snapshot', runId, epoch })
  } catch (err) {
    emit({
      type: 'engine:log',
      level: 'warn',
      message: `no inside snapshot for epoch ${epoch}: ${(err as Error).message}`
    })
  }
}

async function finish(s: RunSetup, outcome: RunOutcome, added: AddedRun | null): Promise<void> {
  // Ending the second thread takes a moment. A run that stopped or failed has sent its last event
  // already, so the engine doesn't stay busy for it (a next run starts its own worker); a completed
  // run's is over before the model is saved and `training:done` goes out.
  const stepperDisposed = s.stepper.dispose().catch(() => undefined)
  if (outcome.kind !== 'done') {
    s.model.dispose()
    return
  }
  await stepperDisposed
  const { evaluation, probabilities } = outcome
  const metadata = runMetadata(s, outcome.epochsCompleted, evaluation)
  const modelDir = s.config.outDir ?? lastModelDir()
  await saveModelToDir(s.model, s.folder.modelDir, metadata)
  // Another process may be saving its last model at the same moment: take turns (RELIABILITY R5).
  await withFolderLock(dirname(lastModelDir()), 'saving the last model', () =>
    saveModelToDir(s.model, lastModelDir(), metadata)
  )
  if (s.config.outDir) await saveModelToDir(s.model, s.config.outDir, metadata)
  setCurrentModel(s.model, metadata, modelDir)
  setPredictions({
    images: s.data.test.pixels,
    labels: s.data.test.labels,
    probabilities,
    predicted: evaluation.predicted,
    confidence: evaluation.confidence
  })
  const done = {
    type: 'training:done' as const,
    runId: s.runId,
    testLoss: evaluation.loss,
    testAccuracy: evaluation.accuracy,
    testCount: s.data.test.count,
    confusion: evaluation.confusion,
    perClassAccuracy: evaluation.perClassAccuracy,
    totalSeconds: outcome.totalSeconds,
    samplesPerSecond: outcome.trainSeconds > 0 ? outcome.trainSamples / outcome.trainSeconds : 0,
    backend: s.backend,
    modelDir,
    runDir: s.folder.dir,
    epochsCompleted: outcome.epochsCompleted,
    peakRssBytes: peakRssBytes(),
    ...(added ? await addedRunReport(added, s.model, s.config.fromModel) : {}),
    ...outcome.earlyStop
  }
  await writeJsonAtomic(s.folder.result, done)
  s.emit(done)
}

/** The run in progress, or a NOT-running error for stop/pause/resume. */
export function activeRun(): TrainingRun | null {
  return active
}
