import * as v from 'valibot'
import type { SpecAnalysis } from '../model-spec/analyse'
import { ArchitectureNameSchema, ModelSpecSchema, type ModelSpec } from '../model-spec/schema'
import { PRESETS } from './training'

// Architecture area (issue 14, "Your own architecture"): presets and saved models as specs,
// validation with figures, and Keras JSON in and out.

/** A preset or a saved architecture, with its figures for the list. */
export interface NamedArchitecture {
  name: string
  kind: 'preset' | 'saved'
  spec: ModelSpec
  totalParams: number
  mflopsPerImage: number
}

const CheckParamsSchema = v.object({
  /** Exactly one of: a typed spec, a Keras JSON (text or parsed), a preset or saved name. */
  spec: v.optional(v.unknown()),
  keras: v.optional(v.unknown()),
  name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  /** Names the Keras JSON's origin in messages (a file path, "pasted JSON"). */
  source: v.optional(v.pipe(v.string(), v.maxLength(4096))),
  /** Batch size the memory estimate is for (default 128). */
  batchSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4096)))
})
type CheckParams = v.InferOutput<typeof CheckParamsSchema>

/** A checked architecture: the completed spec, its analysis, memory figures and Keras JSON. */
export interface ArchitectureCheck {
  /** With the fixed 10-way softmax added when it was missing. */
  spec: ModelSpec
  analysis: SpecAnalysis
  /** Estimated training memory at `batchSize`, and what the machine has free now. */
  trainingBytes: number
  availableBytes: number
  batchSize: number
  /** Null when the architecture can be trained; else the first problem, naming the layer. */
  problem: string | null
  /** The Keras Sequential JSON (explicit InputLayer) that tfjs and Keras 3 both load. */
  keras: Record<string, unknown>
}

export const architectureParamSchemas = {
  'architectures:list': v.optional(v.object({}), {}),
  'architectures:check': CheckParamsSchema,
  'architectures:save': v.object({ name: ArchitectureNameSchema, spec: ModelSpecSchema }),
  'architectures:delete': v.object({ name: ArchitectureNameSchema })
} as const

export interface ArchitectureMethods {
  /** The presets, then the saved architectures (by name), and the folder they are saved in. */
  'architectures:list': {
    params: Record<string, never>
    result: { architectures: NamedArchitecture[]; dir: string }
  }
  /** Validates an architecture; a spec outside the subset rejects with MODEL_INVALID. */
  'architectures:check': { params: CheckParams; result: ArchitectureCheck }
  /** Saves (or replaces) `<data home>/architectures/<name>.json` atomically, as Keras JSON. */
  'architectures:save': {
    params: { name: string; spec: ModelSpec }
    result: { name: string; path: string }
  }
  'architectures:delete': { params: { name: string }; result: { deleted: boolean } }
}

/** Names a saved architecture may not take: the presets keep theirs. */
export const RESERVED_ARCHITECTURE_NAMES: readonly string[] = PRESETS
