/**
 * `model:export`: picks the model (a run's, a folder's, or the engine's current one), writes it in
 * the asked format atomically, and reports every file written. Formats: TF.js layers (folder),
 * ONNX (file), Keras HDF5 (file).
 */
import type * as tf from '@tensorflow/tfjs'
import { existsSync, statSync } from 'node:fs'
import { mkdir, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { EngineError } from '../../../shared/errors'
import type { ExportParams, ExportResult } from '../../../shared/protocol/models'
import type { ModelMetadata } from '../../../shared/protocol/training'
import { writeFileAtomic } from '../atomic-write'
import { loadModelFromDir, requireCurrentModel } from '../model-store'
import { modelDirOfRun } from '../runs'
import { resolveModelFolder } from '../import-model'
import { writeKerasH5 } from './keras'
import { buildExportMetadata } from './metadata'
import { modelToOnnx } from './onnx'
import { checkDestination, commitViaTemp, exportFailure, sweepExportTemps } from './output-file'
import { exportTfjs } from './tfjs'

interface Source {
  model: tf.LayersModel
  metadata: ModelMetadata | null
  /** Models loaded just for this export are disposed afterwards; the current model is not. */
  owned: boolean
}

async function pickSource(params: ExportParams): Promise<Source> {
  const dir = params.runId ? modelDirOfRun(params.runId) : params.modelDir ? resolveModelFolder(params.modelDir) : null
  if (dir) {
    const loaded = await loadModelFromDir(dir)
    return { ...loaded, owned: true }
  }
  const current = await requireCurrentModel()
  return { model: current.model, metadata: current.metadata, owned: false }
}

/** Refuses an output whose kind (file or folder) doesn't match the format, before any work. */
function checkOutKind(format: ExportParams['format'], out: string): void {
  if (!existsSync(out)) return
  const isDir = statSync(out).isDirectory()
  if (format === 'tfjs' && !isDir) {
    throw new EngineError('EXPORT_FAILED', `cannot write ${out}: a TF.js export is a folder, and a file has that name`)
  }
  if (format !== 'tfjs' && isDir) {
    throw new EngineError('EXPORT_FAILED', `cannot write ${out}: it is a folder; give a file name (e.g. model.${format === 'onnx' ? 'onnx' : 'h5'})`)
  }
}

async function writeFormat(source: Source, params: ExportParams, out: string, metadata: ExportResult['metadata']): Promise<string[]> {
  switch (params.format) {
    case 'tfjs':
      return exportTfjs(source.model, metadata, out)
    case 'onnx':
      // Convert before touching the disk, so an unsupported layer leaves no trace.
      await writeFileAtomic(out, modelToOnnx(source.model, metadata))
      return [out]
    case 'keras':
      await mkdir(dirname(out), { recursive: true })
      await commitViaTemp(out, (tmp) => writeKerasH5(source.model, metadata, tmp))
      return [out]
  }
}

/**
 * Exports a model. A previous file at `out` stays intact until the new one is complete (temp path
 * in the same folder, fsync, rename), and leftovers of an export that was killed are swept first.
 */
export async function exportModel(params: ExportParams): Promise<ExportResult> {
  const out = resolve(params.out)
  checkOutKind(params.format, out)
  await checkDestination(out)
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
