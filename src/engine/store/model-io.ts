/**
 * Saving and loading TF.js layers models on disk without tfjs-node: `file://` handlers live in
 * tfjs-node, which the fallback doesn't have. A folder holds `model.json` (topology, weights
 * manifest, training config, metadata) and `weights.bin`, the same layout tfjs-node writes, so
 * either can read the other's files. Saves are atomic (atomic-write.ts); loads validate what they
 * read (RELIABILITY P2) and name the file at fault.
 */
import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { EngineError } from '#shared/errors'
import type { ModelMetadata } from '#shared/protocol/model-metadata'
import { assertReplaceable, writeDirAtomic } from './atomic-write'
import { preflightModelJson } from './model-preflight'

export const MODEL_JSON = 'model.json'
export const WEIGHTS_BIN = 'weights.bin'

/**
 * A model folder may be replaced only when its model.json carries Digit Studio's metadata
 * (RELIABILITY R1): a user's own TF.js model, or anything else, is never overwritten.
 */
async function notOurModel(target: string, entries: string[]): Promise<string | null> {
  if (!entries.includes(MODEL_JSON)) return null
  try {
    const json = JSON.parse(await readFile(join(target, MODEL_JSON), 'utf8')) as {
      userDefinedMetadata?: { digitStudio?: unknown }
    }
    if (json?.userDefinedMetadata?.digitStudio) return null
  } catch {
    // Unreadable or not JSON: not something we can tell we wrote.
  }
  return `its ${MODEL_JSON} was not written by Digit Studio`
}

const MODEL_FILES = [MODEL_JSON, WEIGHTS_BIN]

/**
 * Throws OUT_NOT_EMPTY unless `dir` is absent, empty, or a model folder Digit Studio wrote
 * (RELIABILITY R1); callers check before long work (training, export) so the refusal comes first.
 */
export function assertModelFolderReplaceable(dir: string): Promise<void> {
  return assertReplaceable(dir, MODEL_FILES, notOurModel)
}

/**
 * An IOHandler that writes model.json + weights.bin into `dir`, replacing it atomically; an
 * existing folder is replaced only when it is empty or a model Digit Studio wrote.
 */
export function fileSaver(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new EngineError('EXPORT_FAILED', 'only layers models (JSON topology) can be saved')
      }
      const weightData = artifacts.weightData
        ? tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[])
        : new ArrayBuffer(0)
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }]
      }
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig
      if (artifacts.userDefinedMetadata)
        modelJson.userDefinedMetadata = artifacts.userDefinedMetadata
      await writeDirAtomic(
        dir,
        {
          [MODEL_JSON]: JSON.stringify(modelJson),
          [WEIGHTS_BIN]: new Uint8Array(weightData)
        },
        { replaceProblem: notOurModel }
      )
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    }
  }
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2
}

/** Bytes a weights manifest promises, so a truncated weights.bin is caught before decoding. */
function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((sum, spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1)
    const dtype = spec.quantization?.dtype ?? spec.dtype
    const bytes = DTYPE_BYTES[dtype]
    if (bytes === undefined)
      throw new EngineError('MODEL_INVALID', `weight ${spec.name} has unsupported dtype ${dtype}`)
    return sum + size * bytes
  }, 0)
}

/** An IOHandler that reads a model folder written by `fileSaver` or by tfjs-node/tfjs-converter. */
export function fileLoader(dir: string): tf.io.IOHandler {
  const jsonPath = join(dir, MODEL_JSON)
  const bad = (problem: string): never => {
    throw new EngineError('MODEL_INVALID', `${jsonPath}: ${problem}`)
  }
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      if (!existsSync(jsonPath))
        throw new EngineError('NO_MODEL', `${jsonPath}: no model.json in ${dir}`)
      let json: tf.io.ModelJSON
      try {
        json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON
      } catch (err) {
        return bad(`not valid JSON (${(err as Error).message})`)
      }
      if (
        typeof json !== 'object' ||
        json === null ||
        typeof json.modelTopology !== 'object' ||
        json.modelTopology === null
      ) {
        bad('missing modelTopology')
      }
      if (!Array.isArray(json.weightsManifest)) bad('missing weightsManifest')
      // Before tfjs builds the layers (which allocates every weight the topology declares).
      preflightModelJson(json, jsonPath)
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = []
        const buffers: Uint8Array[] = []
        for (const group of manifest) {
          if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights))
            bad('weightsManifest entries need paths and weights')
          specs.push(...group.weights)
          for (const p of group.paths) {
            // Weight files must sit beside model.json: a manifest can't point elsewhere on disk.
            if (typeof p !== 'string' || basename(p) !== p)
              bad(`weights path ${JSON.stringify(p)} is not a plain file name`)
            const file = join(dir, p)
            if (!existsSync(file)) bad(`weights file ${p} is missing`)
            buffers.push(await readFile(file))
          }
        }
        const total = buffers.reduce((n, b) => n + b.byteLength, 0)
        const expected = expectedWeightBytes(specs)
        if (total !== expected) bad(`weights are ${total} bytes, the manifest needs ${expected}`)
        const joined = new Uint8Array(total)
        let at = 0
        for (const b of buffers) {
          joined.set(b, at)
          at += b.byteLength
        }
        return [specs, joined.buffer]
      })
    }
  }
}

/**
 * The Digit Studio metadata (`userDefinedMetadata.digitStudio`) of a model folder, read from its
 * model.json without loading weights; null when the file is missing, unreadable or has none.
 */
export async function readSavedMetadata(dir: string): Promise<Partial<ModelMetadata> | null> {
  try {
    const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as {
      userDefinedMetadata?: { digitStudio?: unknown }
    }
    const meta = json.userDefinedMetadata?.digitStudio
    return meta && typeof meta === 'object' ? (meta as Partial<ModelMetadata>) : null
  } catch {
    return null
  }
}
