/**
 * What a study's trials mean in training terms, for the engine, the CLI and the Studies view alike:
 * a trial's settings as a TrainConfig, the preset's base point, a default space, a summary line.
 */
import type { ModelSpec } from './model-spec/schema'
import type { Space, StudySettings, TrialParams, TrialRecord } from './protocol/studies'
import {
  DEFAULT_TRAIN_CONFIG,
  PRESET_DEFAULTS,
  type PresetName,
  type TrainConfig
} from './protocol/training'

/** The summary line of a trial (also the CLI's `--json` line). */
export function trialLine(t: TrialRecord): {
  trial: number
  params: TrialParams
  valAccuracy: number | null
  epochs: number
  pruned: boolean
  seconds: number
  imagesProcessed: number
} {
  const last = t.rungs.at(-1)
  return {
    trial: t.trial,
    params: t.params,
    valAccuracy: last?.valAccuracy ?? null,
    epochs: last?.curve.length ?? 0,
    pruned: t.status === 'pruned',
    seconds: t.rungs.reduce((s, r) => s + r.seconds, 0),
    imagesProcessed: t.rungs.reduce((s, r) => s + r.imagesProcessed, 0)
  }
}

/**
 * The training config of a trial's settings. Trials train on the study's subset; "Train the best"
 * passes `full: true` for a normal run on the whole training set (validation split included).
 */
export function trialTrainConfig(
  params: TrialParams,
  settings: Pick<StudySettings, 'seed' | 'earlyStopping' | 'trainLimit' | 'validationImages'>,
  architecture: PresetName,
  full = false,
  /** A saved named architecture's layers (the preset then only gives its defaults). */
  spec?: ModelSpec
): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    preset: architecture,
    ...(spec ? { architecture: spec } : {}),
    epochs: params.epochs,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    learningRateDecay: params.learningRateDecay,
    augment: params.augment,
    seed: settings.seed,
    ...(full
      ? {}
      : {
          trainLimit: settings.trainLimit + settings.validationImages,
          validationSplit:
            settings.validationImages / (settings.trainLimit + settings.validationImages)
        }),
    ...(settings.earlyStopping ? { earlyStopping: settings.earlyStopping } : {}),
    ...(params.widthMultiplier !== undefined ? { widthMultiplier: params.widthMultiplier } : {}),
    ...(params.dropout !== undefined ? { dropout: params.dropout } : {})
  }
}

/** The base settings of a preset, which every dimension the space leaves out keeps. */
export function baseParams(preset: PresetName, modelSpec?: ModelSpec): TrialParams {
  const d = PRESET_DEFAULTS[preset]
  return {
    architecture: modelSpec?.name ?? preset,
    learningRate: d.learningRate,
    batchSize: d.batchSize,
    epochs: d.epochs,
    learningRateDecay: d.learningRateDecay,
    augment: d.augment
  }
}

/** A sensible space around a preset (`digit-studio tune --print-space`): 3 x 3 x 2 = 18 points. */
export function defaultSpace(preset: PresetName): Space {
  const d = PRESET_DEFAULTS[preset]
  return {
    learningRate: { min: d.learningRate / 4, max: d.learningRate * 4, steps: 3 },
    batchSize: { values: [Math.max(1, d.batchSize / 2), d.batchSize, d.batchSize * 2] },
    widthMultiplier: { values: [1, 2] }
  }
}
