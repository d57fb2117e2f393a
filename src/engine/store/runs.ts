/**
 * Run history: reads the run folders training writes (`<dataHome>/runs/<runId>/`: config.json,
 * metrics.json after every epoch, result.json at the end, checkpoint/ and model/) into rows for the
 * Runs view and per-epoch series for comparing curves, and deletes runs. Reading is forgiving: a
 * run killed mid-way (no result.json) or a file from an older version still lists, with what is known.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import * as v from 'valibot'
import { EngineError } from '#shared/errors'
import { analyseLayers } from '#shared/model-spec/analyse'
import { PRESET_SPECS } from '#shared/model-spec/presets'
import {
  RunIdSchema,
  type RunDetail,
  type RunEpoch,
  type RunSummary
} from '#shared/protocol/models'
import type { PresetName, TrainConfig } from '#shared/protocol/training'
import type { ModelMetadata } from '#shared/protocol/model-metadata'
import { MODEL_JSON } from './model-io'
import { runsDir } from './run-folder'
import { acquireFolderLock, describeHolder, lockHolder } from './folder-lock'

type Json = Record<string, unknown>

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null)
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null)

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown
  } catch {
    // Missing (run still going, or killed) or unreadable: the row shows what the other files say.
    return null
  }
}

/** The folder of run `id`, refusing ids that could climb out of the runs folder. */
export function runDir(id: string): string {
  if (!v.is(RunIdSchema, id)) throw new EngineError('BAD_REQUEST', `"${id}" is not a run id`)
  return join(runsDir(), id)
}

/**
 * The model folder of a run: its final model, or the last epoch checkpoint of a run that didn't
 * finish (so a crash costs at most one epoch). NO_MODEL when the run saved neither.
 */
export function modelDirOfRun(id: string): string {
  const dir = runDir(id)
  if (!existsSync(dir)) throw new EngineError('NO_MODEL', `no run "${id}" in ${runsDir()}`)
  for (const sub of ['model', 'checkpoint']) {
    if (existsSync(join(dir, sub, MODEL_JSON))) return join(dir, sub)
  }
  throw new EngineError(
    'NO_MODEL',
    `run "${id}" has no saved model (it ended before its first epoch did)`
  )
}

/** Run ids start with their UTC start time (`20261127-165503-ab12`); else the folder's time is used. */
function dateOf(id: string, fallback: Date): string {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(id)
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : fallback.toISOString()
}

function epochsOf(metrics: unknown): RunEpoch[] {
  const list = Array.isArray(metrics)
    ? metrics
    : Array.isArray((metrics as Json | null)?.epochs)
      ? ((metrics as Json).epochs as unknown[])
      : []
  return list
    .filter((e): e is Json => typeof e === 'object' && e !== null)
    .map((e) => ({
      epoch: num(e.epoch) ?? 0,
      // Non-finite values were written as null by JSON: they stay null (a gap), never 0.
      loss: num(e.loss),
      accuracy: num(e.accuracy),
      valLoss: num(e.valLoss),
      valAccuracy: num(e.valAccuracy),
      seconds: num(e.seconds)
    }))
}

/** The Digit Studio metadata of a saved model folder, read from model.json without loading weights. */
async function savedMetadata(dir: string): Promise<Json | null> {
  for (const sub of ['model', 'checkpoint']) {
    const meta = await savedMetadataOf(join(dir, sub))
    if (meta) return meta as unknown as Json
  }
  return null
}

/**
 * samples/s from result.json with the MFLOPs/image of the model the run trained (config.json's
 * architecture, else its preset's layers): the pair the editor scales its time estimate from.
 */
function throughputOf(config: Json | null, result: Json | null): RunSummary['throughput'] {
  const samplesPerSecond = num(result?.samplesPerSecond)
  if (!samplesPerSecond) return null
  const layers = (config?.architecture as Json | undefined)?.layers
  // A run started from another model trained that model's layers, which config.json doesn't hold.
  const preset = config?.fromModel || config?.resumeFrom ? null : str(config?.preset)
  const spec = Array.isArray(layers)
    ? layers
    : preset && Object.hasOwn(PRESET_SPECS, preset)
      ? PRESET_SPECS[preset as PresetName].layers
      : null
  if (!spec) return null
  const analysis = analyseLayers(spec)
  // A spec this version can't read (an older or newer file) gives no figure rather than a wrong one.
  return analysis.ok && analysis.mflopsPerImage > 0
    ? { samplesPerSecond, mflopsPerImage: analysis.mflopsPerImage }
    : null
}

async function readRun(id: string): Promise<RunDetail> {
  const dir = runDir(id)
  const [config, metrics, result, meta, info, holder] = await Promise.all([
    readJson(join(dir, 'config.json')) as Promise<Json | null>,
    readJson(join(dir, 'metrics.json')),
    readJson(join(dir, 'result.json')) as Promise<Json | null>,
    savedMetadata(dir),
    stat(dir),
    lockHolder(dir)
  ])
  const epochs = epochsOf(metrics)
  const datasetMeta = meta?.dataset as Json | undefined
  const datasetConfig = config?.dataset as Json | undefined
  // Running means a live process holds the run's lock, whichever process that is (RELIABILITY R5).
  const status: RunSummary['status'] = result ? 'done' : holder ? 'running' : 'incomplete'
  return {
    id,
    dir,
    date: dateOf(id, info.mtime),
    preset: (str(config?.preset) ?? str(meta?.preset)) as PresetName | null,
    architecture: str((config?.architecture as Json | undefined)?.name) ?? str(meta?.architecture),
    dataset:
      str(datasetMeta?.name) ??
      (datasetConfig?.kind === 'embedded' ? 'MNIST' : str(datasetConfig?.path)),
    status,
    epochsDone: num(result?.epochsCompleted) ?? epochs.length,
    epochsPlanned: num(config?.epochs),
    testAccuracy: num(result?.testAccuracy),
    totalSeconds:
      num(result?.totalSeconds) ??
      (epochs.length ? epochs.reduce((s, e) => s + (e.seconds ?? 0), 0) : null),
    backend: str(result?.backend) ?? str(meta?.backend),
    throughput: throughputOf(config, result),
    hasModel: ['model', 'checkpoint'].some((sub) => existsSync(join(dir, sub, MODEL_JSON))),
    config: config as Partial<TrainConfig> | null,
    epochs
  }
}

async function runIds(): Promise<string[]> {
  const root = runsDir()
  if (!existsSync(root)) return []
  const entries = await readdir(root, { withFileTypes: true })
  // Hidden names are temp folders of an atomic write; anything not id-shaped isn't ours.
  return entries
    .filter((e) => e.isDirectory() && v.is(RunIdSchema, e.name) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .reverse()
}

/** Every run, newest first, as rows for the Runs view. */
export async function listRuns(): Promise<{ runs: RunSummary[]; dir: string }> {
  const ids = await runIds()
  const runs = await Promise.all(ids.map((id) => readRun(id)))
  return {
    dir: runsDir(),
    // The list shows rows only; per-epoch series come with runs:get.
    runs: runs.map(({ config: _c, epochs: _e, dir: _d, ...row }) => row)
  }
}

/** One run with its configuration and per-epoch metrics (for overlaying curves). */
export async function getRun(id: string): Promise<RunDetail> {
  const dir = runDir(id)
  if (!existsSync(dir)) throw new EngineError('BAD_REQUEST', `no run "${id}" in ${runsDir()}`)
  return readRun(id)
}

/**
 * Deletes a run's folder; refuses a run whose lock a live process holds, in this engine or any
 * other (the app and the CLI share the data home: RELIABILITY R5). Taking the lock first means no
 * training can start writing into the folder while it is being removed. False when it didn't exist.
 */
export async function deleteRun(id: string): Promise<{ deleted: boolean }> {
  const dir = runDir(id)
  if (!existsSync(dir)) return { deleted: false }
  const holder = await lockHolder(dir)
  if (holder) {
    throw new EngineError(
      'BUSY',
      `run "${id}" is in progress in ${describeHolder(holder)}: stop it before deleting it`
    )
  }
  await acquireFolderLock(dir, `deleting run ${id}`)
  await rm(dir, { recursive: true, force: true })
  return { deleted: true }
}

/** The Digit Studio metadata saved in a model folder's model.json, read without loading weights. */
async function savedMetadataOf(dir: string): Promise<ModelMetadata | null> {
  const json = (await readJson(join(dir, MODEL_JSON))) as Json | null
  const meta = (json?.userDefinedMetadata as Json | undefined)?.digitStudio
  return meta && typeof meta === 'object' ? (meta as unknown as ModelMetadata) : null
}

/**
 * A run's last checkpoint when it holds the final weights together with the optimizer state
 * (same epoch count as the final model), with the final model's metadata; else null.
 */
export async function runCheckpointWithOptimizer(
  id: string
): Promise<{ dir: string; metadata: ModelMetadata | null } | null> {
  const dir = runDir(id)
  const checkpoint = join(dir, 'checkpoint')
  if (!existsSync(join(checkpoint, MODEL_JSON))) return null
  const json = (await readJson(join(checkpoint, MODEL_JSON))) as {
    weightsManifest?: { weights?: { group?: string }[] }[]
  } | null
  const hasOptimizer =
    json?.weightsManifest?.some((g) => g.weights?.some((w) => w.group === 'optimizer')) ?? false
  if (!hasOptimizer) return null
  const final = join(dir, 'model')
  if (!existsSync(join(final, MODEL_JSON))) return { dir: checkpoint, metadata: null }
  const [finalMeta, checkpointMeta] = await Promise.all([
    savedMetadataOf(final),
    savedMetadataOf(checkpoint)
  ])
  if (finalMeta?.epochsCompleted !== checkpointMeta?.epochsCompleted) return null
  return { dir: checkpoint, metadata: finalMeta }
}
