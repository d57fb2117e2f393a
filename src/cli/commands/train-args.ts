/** `digit-studio train`'s flags, read into a TrainConfig over the preset's defaults. */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EngineError } from '#shared/errors'
import {
  DEFAULT_TRAIN_CONFIG,
  PRESET_DEFAULTS,
  PRESETS,
  type PresetName,
  type TrainConfig,
  type TrainSetting
} from '#shared/protocol/training'
import { numberFlag } from '../number-flag'
import { fineTuneDefaults } from '#shared/fine-tune-defaults'

const OPTIONS = {
  preset: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  'lr-decay': { type: 'string' },
  'validation-split': { type: 'string' },
  'train-limit': { type: 'string' },
  'test-limit': { type: 'string' },
  data: { type: 'string' },
  backend: { type: 'string' },
  seed: { type: 'string' },
  augment: { type: 'boolean' },
  'no-augment': { type: 'boolean' },
  resume: { type: 'string' },
  from: { type: 'string' },
  'add-images': { type: 'string' },
  out: { type: 'string' },
  'model-spec': { type: 'string' },
  'early-stopping': { type: 'string' },
  'min-delta': { type: 'string' },
  json: { type: 'boolean', default: false }
} as const

/** Builds the run's config from flags over the preset's defaults; the engine validates ranges. */
export function configFromArgs(argv: string[]): {
  config: TrainConfig
  json: boolean
  backend?: string
  /** `--model-spec`: checked by the engine before the run (model-spec-arg.ts). */
  modelSpec?: string
} {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true })
  const preset = (values.preset ?? DEFAULT_TRAIN_CONFIG.preset) as PresetName
  if (!PRESETS.includes(preset))
    throw new EngineError('BAD_REQUEST', `--preset "${preset}" is not one of ${PRESETS.join(', ')}`)
  const d = {
    ...DEFAULT_TRAIN_CONFIG,
    ...PRESET_DEFAULTS[preset],
    ...(values.from ? fineTuneDefaults(preset) : {})
  }
  const config: TrainConfig = {
    preset,
    epochs: numberFlag('epochs', values.epochs) ?? d.epochs,
    batchSize: numberFlag('batch-size', values['batch-size']) ?? d.batchSize,
    learningRate: numberFlag('learning-rate', values['learning-rate']) ?? d.learningRate,
    learningRateDecay: numberFlag('lr-decay', values['lr-decay']) ?? d.learningRateDecay,
    validationSplit:
      numberFlag('validation-split', values['validation-split']) ?? d.validationSplit,
    seed: numberFlag('seed', values.seed) ?? d.seed,
    augment: values['no-augment'] ? false : (values.augment ?? d.augment),
    dataset: values.data ? { kind: 'folder', path: resolve(values.data) } : { kind: 'embedded' }
  }
  const trainLimit = numberFlag('train-limit', values['train-limit'])
  const testLimit = numberFlag('test-limit', values['test-limit'])
  if (trainLimit !== undefined) config.trainLimit = trainLimit
  if (testLimit !== undefined) config.testLimit = testLimit
  if (values.out) config.outDir = resolve(values.out)
  const earlyStopping = earlyStoppingFromArgs(values['early-stopping'], values['min-delta'])
  if (earlyStopping) config.earlyStopping = earlyStopping
  if (values.resume) config.resumeFrom = resolve(values.resume)
  if (values.from) config.fromModel = resolve(values.from)
  if (values['add-images']) config.addImages = resolve(values['add-images'])
  // Which settings came from flags: resuming a run's checkpoint takes the rest from the run (R4).
  const given: Record<TrainSetting, unknown> = {
    preset: values.preset,
    epochs: values.epochs,
    batchSize: values['batch-size'],
    learningRate: values['learning-rate'],
    learningRateDecay: values['lr-decay'],
    validationSplit: values['validation-split'],
    seed: values.seed,
    augment: values.augment ?? values['no-augment'],
    trainLimit: values['train-limit'],
    testLimit: values['test-limit'],
    dataset: values.data
  }
  config.givenSettings = (Object.keys(given) as TrainSetting[]).filter(
    (k) => given[k] !== undefined
  )
  return {
    config,
    json: values.json ?? false,
    backend: values.backend,
    modelSpec: values['model-spec']
  }
}

/** `--early-stopping N [--min-delta X]`: stop after N epochs without a better validation loss. */
function earlyStoppingFromArgs(
  patience: string | undefined,
  minDelta: string | undefined
): TrainConfig['earlyStopping'] {
  if (patience === undefined) {
    if (minDelta !== undefined)
      throw new EngineError('BAD_REQUEST', '--min-delta needs --early-stopping PATIENCE')
    return undefined
  }
  const delta = numberFlag('min-delta', minDelta)
  return {
    patience: numberFlag('early-stopping', patience) as number,
    ...(delta !== undefined ? { minDelta: delta } : {})
  }
}
