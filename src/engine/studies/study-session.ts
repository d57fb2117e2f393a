/**
 * The engine's one study at a time: resolves a new study's settings (or reads a resumed one's),
 * checks the space, loads the data once, and runs the trials in the background; progress comes as
 * `study:*` events. A study holds the engine as a training run does (one heavy job at a time).
 */
import { join, resolve } from 'node:path'
import type { EngineEvent } from '#shared/engine-protocol'
import { EngineError, serializeError } from '#shared/errors'
import type { StudySettings, StudyStart } from '#shared/protocol/studies'
import { baseParams, defaultSpace } from '#shared/study-trials'
import type { BackendChoice } from '../backend/selection'
import { acquireEngine } from '../busy-lock'
import { loadDatasetCached } from '../data/dataset-cache'
import { prepareData } from '../data/preprocess-data'
import { acquireFolderLock } from '../store/folder-lock'
import { newRunId } from '../store/run-folder'
import { resolveArchitecture } from './architectures'
import { StudyRunner } from './runner'
import { planConfigs } from './strategy'
import {
  readSettings,
  readTrials,
  studiesDir,
  sweepStudyFolder,
  writeSettings
} from './study-folder'

/** A study's defaults: 10,000 training and 5,000 validation images of MNIST's training set. */
const DEFAULT_TRAIN_IMAGES = 10_000
const DEFAULT_VALIDATION_IMAGES = 5_000

let active: StudyRunner | null = null

/** The study in progress, for stop, pause and resume. */
export function activeStudy(): StudyRunner | null {
  return active
}

/** A new study's settings from the request, every default filled in. */
function newSettings(params: StudyStart): StudySettings {
  if (!params.strategy)
    throw new EngineError('BAD_REQUEST', 'strategy: give one of grid, random, halving')
  const preset = params.preset ?? 'fast'
  return {
    version: 1,
    id: newRunId(),
    preset,
    space: params.space ?? defaultSpace(preset),
    strategy: params.strategy,
    ...(params.trials !== undefined ? { trials: params.trials } : {}),
    ...(params.minutes !== undefined ? { minutes: params.minutes } : {}),
    trainLimit: params.trainLimit ?? DEFAULT_TRAIN_IMAGES,
    validationImages: params.validationImages ?? DEFAULT_VALIDATION_IMAGES,
    seed: params.seed ?? 42,
    ...(params.earlyStopping ? { earlyStopping: params.earlyStopping } : {}),
    ...(params.modelSpec ? { modelSpec: params.modelSpec } : {}),
    created: new Date().toISOString()
  }
}

/** Starts (or resumes, when `studyDir` holds one) a study; resolves with its folder once under way. */
export async function startStudy(
  params: StudyStart,
  backend: BackendChoice,
  emit: (e: EngineEvent) => void
): Promise<{ dir: string }> {
  const release = acquireEngine('a study')
  let unlock: (() => void) | null = null
  try {
    const existing = params.studyDir ? await readSettings(resolve(params.studyDir)) : null
    // Resuming keeps the study's own space, strategy and seed; a new time budget may be given.
    const settings = existing
      ? { ...existing, ...(params.minutes !== undefined ? { minutes: params.minutes } : {}) }
      : newSettings(params)
    const dir = params.studyDir ? resolve(params.studyDir) : join(studiesDir(), settings.id)
    for (const [i, name] of (settings.space.architecture?.values ?? []).entries())
      await resolveArchitecture(
        name,
        settings.preset,
        `space.architecture.values[${i}]`,
        settings.modelSpec
      )
    const configs = planConfigs(settings, baseParams(settings.preset, settings.modelSpec))
    const dataset = await loadDatasetCached({ kind: 'embedded' })
    const wanted = settings.trainLimit + settings.validationImages
    if (wanted > dataset.train.count) {
      throw new EngineError(
        'BAD_REQUEST',
        `trainLimit + validationImages: ${wanted} images asked for, the training set has ${dataset.train.count}`
      )
    }
    const data = prepareData(dataset, {
      seed: settings.seed,
      trainLimit: wanted,
      validationSplit: settings.validationImages / wanted
    })
    await writeSettings(dir, settings)
    // One process per study folder: a second `tune --study DIR` waits for nothing, it is refused.
    unlock = await acquireFolderLock(dir, `study ${settings.id}`)
    await sweepStudyFolder(dir)
    const records = await readTrials(dir)
    const runner = new StudyRunner({
      dir,
      settings,
      configs,
      records,
      data,
      dataset,
      backend: backend.kind,
      emit
    })
    active = runner
    emit({
      type: 'study:started',
      dir,
      settings,
      planned: configs.length,
      resumed: records.filter((r) => r.status !== 'running').length
    })
    const unlockStudy = unlock
    setImmediate(() => {
      void runner
        .run()
        .catch((err: unknown) => emit({ type: 'study:error', dir, error: serializeError(err) }))
        .finally(() => {
          if (active === runner) active = null
          unlockStudy()
          release()
        })
    })
    return { dir }
  } catch (err) {
    unlock?.()
    release()
    throw err
  }
}
