/**
 * The architecture editor's state (issue 14): a stack of layers the user edits, analysed live by
 * the same shared code the engine uses (shapes, parameters, MFLOPs, the breaking layer in words),
 * saved as named models in the data home and listed with the presets. When `enabled`, training
 * uses this architecture instead of the preset's.
 */
import type { RendererApi } from '#shared/ipc-contract'
import { analyseLayers, estimateTrainingBytes } from '#shared/model-spec/analyse'
import { completeSpec } from '#shared/model-spec/complete'
import { newLayer } from '#shared/model-spec/fields'
import { PRESET_SPECS } from '#shared/model-spec/presets'
import type { LayerSpec, ModelSpec } from '#shared/model-spec/schema'
import type { NamedArchitecture } from '#shared/protocol/architectures'
import type { RunSummary } from '#shared/protocol/models'
import {
  PRESETS,
  type ModelSummary,
  type PresetName,
  type TrainConfig
} from '#shared/protocol/training'
import { errorInfo } from '../api'

type ArchitectureApi = Pick<RendererApi, 'architectures'>

/** A measured run: how fast it went, and how much work one of its images was. */
export interface Throughput {
  samplesPerSecond: number
  mflopsPerImage: number
}

/** The throughput of the last run (`training:epoch` samples/s) with the work of its model. */
export function measuredThroughput(
  config: TrainConfig | null,
  samplesPerSecond: number | null
): Throughput | null {
  if (!config || !samplesPerSecond) return null
  const spec = config.architecture ?? PRESET_SPECS[config.preset]
  return { samplesPerSecond, mflopsPerImage: analyseLayers(spec.layers).mflopsPerImage }
}

/**
 * The newest finished run on `backend` in runs history that says how fast it went (runs are listed
 * newest first), so the editor can estimate time before any run of this session; null when none.
 */
export function historyThroughput(
  runs: readonly RunSummary[],
  backend: string | null
): Throughput | null {
  if (!backend) return null
  return (
    runs.find((r) => r.status === 'done' && r.backend === backend && r.throughput)?.throughput ??
    null
  )
}

export class ArchitectureState {
  /** Train this architecture instead of the preset. */
  enabled = $state(false)
  name = $state('my-model')
  layers = $state<LayerSpec[]>([])
  saved = $state.raw<NamedArchitecture[]>([])
  /** The last paste, save or list failure, in words. */
  error = $state<string | null>(null)
  message = $state<string | null>(null)

  /** The stack with the fixed classifier added where missing (shown as fixed rows). */
  readonly completed = $derived(
    completeSpec({ name: this.name, layers: $state.snapshot(this.layers) as LayerSpec[] })
  )
  readonly analysis = $derived(analyseLayers(this.completed.layers))
  /**
   * The stack as the Model panel's layer table (Keras-style, batch dimension first), from the
   * shared analysis, so the panel shows what will be trained; null while the stack is broken.
   */
  readonly table = $derived<Omit<ModelSummary, 'preset'> | null>(
    this.analysis.ok
      ? {
          layers: this.completed.layers.map((layer, i) => ({
            // Unique per row (the table is keyed by name), as Keras numbers its layers.
            name: `${layer.type.toLowerCase()}_${i + 1}`,
            className: layer.type,
            outputShape: [null, ...(this.analysis.layers[i]?.outputShape ?? [])],
            params: this.analysis.layers[i]?.params ?? 0
          })),
          totalParams: this.analysis.totalParams,
          trainableParams: this.analysis.trainableParams
        }
      : null
  )
  /** False only when the editor is in use and its stack can't be trained. */
  readonly valid = $derived(!this.enabled || this.analysis.ok)

  #api: ArchitectureApi

  constructor(api: ArchitectureApi) {
    this.#api = api
  }

  /** The spec as training receives it (a snapshot, not the live proxy). */
  spec(): ModelSpec {
    return this.completed
  }

  /** Starts from a preset's or a saved model's layers. */
  startFrom(name: string): void {
    const source = (PRESETS as readonly string[]).includes(name)
      ? PRESET_SPECS[name as PresetName]
      : this.saved.find((a) => a.name === name)?.spec
    if (!source) return
    this.layers = structuredClone(source.layers)
    this.name = (PRESETS as readonly string[]).includes(name) ? `my-${name}` : name
    this.enabled = true
    this.error = null
  }

  add(type: LayerSpec['type'], at = this.layers.length): void {
    this.layers.splice(at, 0, newLayer(type))
  }

  remove(index: number): void {
    this.layers.splice(index, 1)
  }

  /** Moves a layer by `delta` places (keyboard) or to `to` (drag and drop). */
  move(from: number, to: number): void {
    if (to < 0 || to >= this.layers.length || from === to) return
    const [layer] = this.layers.splice(from, 1)
    this.layers.splice(to, 0, layer)
  }

  update(index: number, key: string, value: unknown): void {
    ;(this.layers[index] as Record<string, unknown>)[key] = value
  }

  /** Estimated training memory at `batchSize` (the engine compares it with what is free). */
  memoryBytes(batchSize: number): number {
    return estimateTrainingBytes(this.analysis, batchSize)
  }

  /**
   * Seconds per epoch on this backend, from a measured run scaled by work per image (training
   * costs about the same multiple of the forward pass for every model), or null before any run.
   */
  secondsPerEpoch(images: number, measured: Throughput | null): number | null {
    if (!measured || !this.analysis.ok || measured.mflopsPerImage <= 0) return null
    const scale = this.analysis.mflopsPerImage / measured.mflopsPerImage
    return (images / measured.samplesPerSecond) * scale
  }

  /** Reads a pasted Keras JSON through the engine (the same reader as the CLI). */
  async paste(text: string): Promise<void> {
    try {
      const check = await this.#api.architectures.check({ keras: text, source: 'pasted JSON' })
      this.layers = check.spec.layers
      this.name = check.spec.name
      this.enabled = true
      this.error = null
    } catch (err) {
      this.error = errorInfo(err).message
    }
  }

  async refresh(): Promise<void> {
    try {
      const { architectures } = await this.#api.architectures.list({})
      this.saved = architectures.filter((a) => a.kind === 'saved')
    } catch (err) {
      this.error = errorInfo(err).message
    }
  }

  async save(): Promise<void> {
    try {
      const saved = await this.#api.architectures.save({ name: this.name, spec: this.spec() })
      this.message = `Saved as ${saved.name}`
      this.error = null
      await this.refresh()
    } catch (err) {
      this.error = errorInfo(err).message
    }
  }
}
