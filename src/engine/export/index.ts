/**
 * `model:export`: picks the model (a run's, a folder's, or the engine's current one), writes it in
 * the asked format atomically, and reports every file written. Formats: TF.js layers (folder),
 * ONNX (file), Keras HDF5 (file) or Keras 3's `.keras` zip (file).
 */
import type * as tf from '@tensorflow/tfjs'
import { existsSync, statSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { EngineError } from '#shared/errors'
import type { ExportParams, ExportResult } from '#shared/protocol/models'
import type { ModelMetadata } from '#shared/protocol/model-metadata'
import { makeFolders, writeFileAtomic } from '../store/atomic-write'
import { assertModelFolderReplaceable } from '../store/model-io'
import { loadModelFromDir, requireCurrentModel } from '../store/model-store'
import { folderHasOptimizer, resolveModelFolder } from '../store/import-model'
import { modelDirOfRun, runCheckpointWithOptimizer } from '../store/runs'
import { writeKerasH5 } from './keras'
import { writeKerasZip } from './keras-zip'
import { buildExportMetadata } from './metadata'
import { modelToOnnx } from './onnx'
import {
  checkExportDestination,
  commitViaTemp,
  exportFailure,
  sweepExportTemps
} from './output-file'
import { exportTfjs } from './tfjs'

interface Source {
  model: tf.LayersModel
  metadata: ModelMetadata | null
  /** Models loaded just for this export are disposed afterwards; the current model is not. */
  owned: boolean
  /** Whether the folder it came from saved real optimizer state (so the export can carry it). */
  withOptimizer: boolean
}

async function loadSource(dir: string): Promise<Source> {
  const loaded = await loadModelFromDir(dir)
  return { ...loaded, owned: true, withOptimizer: await folderHasOptimizer(dir) }
}

async function pickSource(params: ExportParams): Promise<Source> {
  if (params.runId) {
    // A finished run's final model has no optimizer state, but its last checkpoint holds the same
    // weights with it: export those (with the final model's metadata, which has the test accuracy),
    // so training can continue from the export exactly as from the checkpoint.
    const checkpoint = await runCheckpointWithOptimizer(params.runId)
    if (checkpoint) {
      const source = await loadSource(checkpoint.dir)
      return { ...source, metadata: checkpoint.metadata ?? source.metadata }
    }
    return loadSource(modelDirOfRun(params.runId))
  }
  if (params.modelDir) return loadSource(resolveModelFolder(params.modelDir))
  const current = await requireCurrentModel()
  const withOptimizer = current.dir !== null && (await folderHasOptimizer(current.dir))
  return { model: current.model, metadata: current.metadata, owned: false, withOptimizer }
}

/** Refuses an output whose kind (file or folder) doesn't match the format, before any work. */
function checkOutKind(format: ExportParams['format'], out: string): void {
  if (!existsSync(out)) return
  const isDir = statSync(out).isDirectory()
  if (format === 'tfjs' && !isDir) {
    throw new EngineError(
      'EXPORT_FAILED',
      `cannot write ${out}: a TF.js export is a folder, and a file has that name`
    )
  }
  if (format !== 'tfjs' && isDir) {
    throw new EngineError(
      'EXPORT_FAILED',
      `cannot write ${out}: it is a folder; give a file name (e.g. model.${format === 'onnx' ? 'onnx' : 'h5'})`
    )
  }
}

async function writeFormat(
  source: Source,
  params: ExportParams,
  out: string,
  metadata: ExportResult['metadata']
): Promise<string[]> {
  switch (params.format) {
    case 'tfjs':
      return exportTfjs(source.model, metadata, out, source.withOptimizer)
    case 'onnx':
      // Convert before touching the disk, so an unsupported layer leaves no trace.
      await writeFileAtomic(out, modelToOnnx(source.model, metadata))
      return [out]
    case 'keras': {
      await makeFolders(dirname(out))
      // A name ending in .keras gets Keras 3's native zip; anything else the HDF5 file.
      const write = out.toLowerCase().endsWith('.keras') ? writeKerasZip : writeKerasH5
      await commitViaTemp(out, (tmp) => write(source.model, metadata, tmp))
      return [out]
    }
  }
}

/**
 * Exports a model. A previous file at `out` stays intact until the new one is complete (temp path
 * in the same folder, fsync, rename), and leftovers of an export that was killed are swept first.
 */
export async function exportModel(params: ExportParams): Promise<ExportResult> {
  const out = resolve(params.out)
  checkOutKind(params.format, out)
  await checkExportDestination(out)
  if (params.format === 'tfjs') await assertModelFolderReplaceable(out)
  const source = await pickSource(params)
  try {
    const metadata = buildExportMetadata(source.metadata)
    let files: string[]
    try {
      await sweepExportTemps(out)
      files = await writeFormat(source, params, out, metadata)
    } catch (err) {
      throw exportFailure(out, err)
    }
    let bytes = 0
    for (const f of files) bytes += (await stat(f)).size
    return { format: params.format, path: out, files, bytes, metadata }
  } finally {
    if (source.owned) source.model.dispose()
  }
}
