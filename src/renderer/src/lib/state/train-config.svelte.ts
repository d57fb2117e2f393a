/**
 * The run the user is setting up: preset, hyperparameters, and the model summary of the preset.
 * Validation mirrors `TrainConfigSchema` exactly (the engine validates the same schema again).
 */
import type { RendererApi } from '#shared/ipc-contract'
import { errorInfo } from '../api'
import {
  DEFAULT_TRAIN_CONFIG,
  PRESET_DEFAULTS,
  type DatasetSource,
  type ModelSummary,
  type PresetName,
  type TrainConfig
} from '#shared/protocol/training'
import type { EngineInfo } from '#shared/protocol/info'
import { validateConfig } from '../train-config-fields'

type ConfigApi = Pick<RendererApi, 'model' | 'engine'>

/** Small enough to finish in about a minute on the wasm fallback, big enough to reach ~95 %. */
const QUICK_RUN: Pick<TrainConfig, 'trainLimit' | 'testLimit' | 'epochs'> = {
  trainLimit: 6000,
  testLimit: 10000,
  epochs: 2
}

export class TrainConfigState {
  preset = $state<PresetName>(DEFAULT_TRAIN_CONFIG.preset)
  epochs = $state<number | null>(DEFAULT_TRAIN_CONFIG.epochs)
  batchSize = $state<number | null>(DEFAULT_TRAIN_CONFIG.batchSize)
  learningRate = $state<number | null>(DEFAULT_TRAIN_CONFIG.learningRate)
  /** Step decay per epoch; 1 = a constant rate. */
  learningRateDecay = $state<number | null>(DEFAULT_TRAIN_CONFIG.learningRateDecay ?? 1)
  validationSplit = $state<number | null>(DEFAULT_TRAIN_CONFIG.validationSplit)
  seed = $state<number | null>(DEFAULT_TRAIN_CONFIG.seed)
  augment = $state(DEFAULT_TRAIN_CONFIG.augment)
  /** null = use every image. */
  trainLimit = $state<number | null>(QUICK_RUN.trainLimit ?? null)
  testLimit = $state<number | null>(null)
  /** Early stopping's patience in epochs; null = off (the default for every preset). */
  earlyStoppingPatience = $state<number | null>(null)

  summary = $state.raw<ModelSummary | null>(null)
  summaryError = $state<string | null>(null)
  summaryLoading = $state(false)
  /** Backend and why, for the badge; null until the engine has answered. */
  engineInfo = $state.raw<EngineInfo | null>(null)

  #api: ConfigApi
  #summaryRequest = 0

  constructor(api: ConfigApi) {
    this.#api = api
  }

  /** The config as the engine will receive it, for `dataset`. */
  build(dataset: DatasetSource): TrainConfig {
    const optional = (n: number | null): number | undefined =>
      n === null || Number.isNaN(n) ? undefined : n
    return {
      preset: this.preset,
      epochs: this.epochs as number,
      batchSize: this.batchSize as number,
      learningRate: this.learningRate as number,
      learningRateDecay: this.learningRateDecay as number,
      validationSplit: this.validationSplit as number,
      seed: this.seed as number,
      augment: this.augment,
      trainLimit: optional(this.trainLimit),
      testLimit: optional(this.testLimit),
      dataset,
      ...(optional(this.earlyStoppingPatience) !== undefined
        ? { earlyStopping: { patience: this.earlyStoppingPatience as number } }
        : {})
    }
  }

  /** Field -> message; empty when the current values would be accepted. */
  readonly errors = $derived(validateConfig(this.build({ kind: 'embedded' })))
  readonly valid = $derived(Object.keys(this.errors).length === 0)

  /** Sets several fields at once (presets of the form, tests). */
  apply(values: Partial<Omit<TrainConfig, 'dataset'>>): void {
    for (const [key, value] of Object.entries(values)) {
      ;(this as unknown as Record<string, unknown>)[key] = value ?? null
    }
  }

  /** Asks the engine which backend it runs on (the badge); failures leave the badge unknown. */
  async loadEngineInfo(): Promise<void> {
    try {
      this.engineInfo = await this.#api.engine.info({})
    } catch {
      this.engineInfo = null
    }
  }

  /** Switches the model preset and takes over its suggested hyperparameters. */
  choosePreset(preset: PresetName): void {
    this.preset = preset
    this.apply(PRESET_DEFAULTS[preset])
    void this.loadSummary()
  }

  /** Fetches the layer table of the current preset; a newer request wins over a slower older one. */
  async loadSummary(): Promise<void> {
    const request = ++this.#summaryRequest
    const preset = this.preset
    this.summaryLoading = true
    this.summaryError = null
    try {
      const summary = await this.#api.model.summary({ preset })
      if (request === this.#summaryRequest) this.summary = summary
    } catch (err) {
      if (request === this.#summaryRequest) {
        this.summary = null
        this.summaryError = errorInfo(err).message
      }
    } finally {
      if (request === this.#summaryRequest) this.summaryLoading = false
    }
  }
}
