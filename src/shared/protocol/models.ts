import * as v from 'valibot'
import type { LayerSummary, PresetName, TrainConfig } from './training'
import type { ModelMetadata } from './model-metadata'

// Model area (issue "Export, import and ship"): export formats, import, run history.

export const EXPORT_FORMATS = ['tfjs', 'onnx', 'keras'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** File name filters for the save dialog and the default name of each format. */
export const EXPORT_FORMAT_INFO: Record<
  ExportFormat,
  { label: string; defaultName: string; extensions: string[] }
> = {
  tfjs: { label: 'TF.js layers model (folder)', defaultName: 'digit-model-tfjs', extensions: [] },
  onnx: { label: 'ONNX model', defaultName: 'digit-model.onnx', extensions: ['onnx'] },
  keras: {
    label: 'Keras model (.h5, or .keras for Keras 3)',
    defaultName: 'digit-model.h5',
    extensions: ['h5', 'keras']
  }
}

/** Run ids become folder names: letters, digits, dot, dash and underscore only, never `..`. */
export const RunIdSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(120),
  v.regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, 'run id may hold only letters, digits, ".", "-" and "_"')
)

const PathSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4096))

/** What the input of every exported model is, in words (also written into each file). */
export const MODEL_INPUT_DESCRIPTION =
  'float32 [batch, 28, 28, 1]: grayscale pixels scaled to 0-1, white digit on black, MNIST-centred'

/**
 * Metadata written into every export (model.json `userDefinedMetadata.digitStudio`, ONNX
 * `metadata_props`, the Keras file's `digit_studio_metadata` attribute): the training metadata
 * (preset, hyperparameters, dataset, test accuracy, app version, date) where known, plus the export's.
 */
export interface ExportMetadata extends Partial<ModelMetadata> {
  /** ISO 8601. */
  exportedAt: string
  /** e.g. "Digit Studio 0.1.0". */
  exportedBy: string
  input: string
}

const ExportParamsSchema = v.object({
  format: v.picklist(EXPORT_FORMATS),
  /** A folder for `tfjs`, a file for `onnx` (.onnx) and `keras` (.h5, or .keras for Keras 3's zip). */
  out: PathSchema,
  /** Export the model of this run; else `modelDir`; else the engine's current model. */
  runId: v.optional(RunIdSchema),
  /** A TF.js layers folder (or its model.json) to export. */
  modelDir: v.optional(PathSchema)
})
export type ExportParams = v.InferOutput<typeof ExportParamsSchema>

export interface ExportResult {
  format: ExportFormat
  /** The folder (tfjs) or file written. */
  path: string
  /** Every file written, absolute. */
  files: string[]
  bytes: number
  metadata: ExportMetadata
}

/**
 * The most trainable parameters a model may have to be imported (or, later, built): 80 MB of
 * float32 weights, ~90x the largest preset, far beyond what an MNIST model needs, and far below
 * what would exhaust memory when its layers are built (RELIABILITY P4).
 */
export const MAX_MODEL_PARAMETERS = 20_000_000

const ImportParamsSchema = v.object({
  /** A TF.js layers folder, or its model.json. */
  path: PathSchema
})
type ImportParams = v.InferOutput<typeof ImportParamsSchema>

/**
 * Where the current model came from: a run of this data home, an import, or the starter model
 * shipped with the app (used while the data home has no finished run: issue 16).
 */
export type ModelSource = 'trained' | 'imported' | 'starter'

/** What `starter.json` (written by scripts/train-starter.ts) says about the shipped model. */
export interface StarterModelInfo {
  /** MNIST test accuracy of the weights as shipped (float16), 0-1. */
  testAccuracy: number | null
  /** The same before quantising to float16 (what the quantisation cost is the difference). */
  testAccuracyFloat32: number | null
  /** Bytes of the float16 weights. */
  weightBytes: number | null
  /** When it was made (ISO 8601). */
  date: string | null
}

/** The model the engine classifies with, shows the gallery of and continues training. */
export interface CurrentModelInfo {
  source: ModelSource
  /** Folder it was loaded from (for `training:start` with `resumeFrom`). */
  modelDir: string
  name: string
  layers: LayerSummary[]
  totalParams: number
  /** True when the file carries optimizer state, so continued training picks up where it left. */
  hasOptimizer: boolean
  /** Null for a model trained elsewhere. */
  metadata: ModelMetadata | null
  /** Accuracy measured on the MNIST test set when the model was imported (its gallery's data). */
  measured: { dataset: string; accuracy: number; count: number } | null
  /** Set for the starter model only: its `starter.json`. */
  starter?: StarterModelInfo
}

/** One row of the Runs view. */
export interface RunSummary {
  id: string
  /** When the run started (ISO 8601). */
  date: string
  preset: PresetName | null
  /**
   * The name of the user's own architecture the run trained (issue 14), from config.json or, for a
   * run started from such a model, its saved metadata; null for a preset's layers.
   */
  architecture: string | null
  dataset: string | null
  /** `incomplete`: stopped, failed or killed before the end (its last checkpoint is kept). */
  status: 'done' | 'running' | 'incomplete'
  epochsDone: number
  epochsPlanned: number | null
  testAccuracy: number | null
  totalSeconds: number | null
  backend: string | null
  /**
   * A finished run's training speed with the work of one image of its model (its architecture,
   * else its preset's), so the architecture editor can estimate time on this backend before any
   * run of the session; null before the run ends or when its files don't say.
   */
  throughput: { samplesPerSecond: number; mflopsPerImage: number } | null
  /** Whether the run folder holds a saved model (export and import need one). */
  hasModel: boolean
}

/** Per-epoch metrics, as plain numbers (null where not measured, e.g. no validation split). */
export interface RunEpoch {
  epoch: number
  loss: number | null
  accuracy: number | null
  valLoss: number | null
  valAccuracy: number | null
  seconds: number | null
}

export interface RunDetail extends RunSummary {
  config: Partial<TrainConfig> | null
  epochs: RunEpoch[]
  /** Folder of the run (config.json, metrics.json, result.json, model/). */
  dir: string
}

interface ModelChangedEvent {
  type: 'model:changed'
  /** Null when no model is left (the last run deleted and no starter model shipped). */
  model: CurrentModelInfo | null
}

const Empty = v.optional(v.object({}), {})

export const modelParamSchemas = {
  'model:export': ExportParamsSchema,
  'model:import': ImportParamsSchema,
  'model:current': Empty,
  'runs:list': Empty,
  'runs:get': v.object({ id: RunIdSchema }),
  'runs:delete': v.object({ id: RunIdSchema })
} as const

export interface ModelMethods {
  /** Writes the model in one format, atomically; the result names every file written. */
  'model:export': { params: ExportParams; result: ExportResult }
  /** Validates a TF.js layers model and makes it the engine's current model. */
  'model:import': { params: ImportParams; result: CurrentModelInfo }
  /** The engine's current model, or null when none is loaded or saved yet. */
  'model:current': { params: Record<string, never>; result: CurrentModelInfo | null }
  /** Every run in the runs folder, newest first. */
  'runs:list': { params: Record<string, never>; result: { runs: RunSummary[]; dir: string } }
  'runs:get': { params: { id: string }; result: RunDetail }
  /** Deleting the run the current model came from makes the next newest run's model (else the starter) current. */
  'runs:delete': { params: { id: string }; result: { deleted: boolean } }
}

export type ModelEvent = ModelChangedEvent
