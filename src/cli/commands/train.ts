import cliProgress from 'cli-progress'
import { numberFlag } from '../number-flag'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { EngineClient } from '#host/engine-client'
import type { EngineEvent } from '#shared/engine-protocol'
import { EngineError } from '#shared/errors'
import {
  DEFAULT_TRAIN_CONFIG,
  PRESET_DEFAULTS,
  PRESETS,
  type DoneEvent,
  type PresetName,
  type SkippedImage,
  type TrainConfig,
  type TrainSetting
} from '#shared/protocol/training'
import { backendEnv, endEngineAndExit, withEngine } from '../engine-session'
import { formatDone, formatDuration, formatEpoch, formatSummary } from '../format-training'
import { checkModelSpecArg } from '../model-spec-arg'

export const TRAIN_USAGE =
  'digit-studio train [--preset seed|fast|accurate] [--epochs N] [--batch-size N] [--learning-rate X] [--lr-decay X] ' +
  '[--validation-split X] [--train-limit N] [--test-limit N] [--data DIR] [--backend native|wasm|cpu] ' +
  '[--seed N] [--augment|--no-augment] [--early-stopping PATIENCE] [--min-delta X] [--model-spec FILE.json|NAME] [--resume DIR] [--out DIR] [--json]\n' +
  '  digit-studio train --from MODEL_DIR --add-images DIR [--epochs N] [...] [--json]  (fine-tune)'

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
    ...(values.from ? fineTuneDefaults(PRESET_DEFAULTS[preset].learningRate) : {})
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

/**
 * A fine-tune (--from) nudges a trained model rather than training one: one epoch at a quarter of
 * the preset's rate unless the flags say otherwise, so MNIST isn't forgotten (README "Learn my
 * handwriting" has the measurement).
 */
function fineTuneDefaults(presetRate: number): { epochs: number; learningRate: number } {
  return { epochs: 1, learningRate: presetRate / 4 }
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

type Outcome =
  { kind: 'done'; event: DoneEvent } | { kind: 'stopped' } | { kind: 'error'; error: EngineError }

/** The mix of data/added-images.ts, in words for the header. */
const ADDED_MIX = 'a seeded 20 % held out; every batch carries 1/8 added images, 7/8 MNIST'

/** One line per image of a labelled folder that was not used, with its reason. */
function skippedLines(skipped: SkippedImage[] | undefined): string[] {
  if (!skipped?.length) return []
  return [
    `Skipped ${skipped.length} image${skipped.length === 1 ? '' : 's'}:`,
    ...skipped.map((s) => `  ${s.file}: ${s.reason}`)
  ]
}

/** Human mode: header, a progress bar per epoch, a line per epoch, the result. */
function humanPrinter(backendLine: string): (e: EngineEvent) => void {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'Epoch {epoch} {bar} {percentage}% | loss {loss} acc {acc} | {sps} samples/s | ETA {etaText}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50
    },
    cliProgress.Presets.shades_classic
  )
  let barEpoch = 0
  let epochs = 0
  let batchSize = 0
  return (e) => {
    switch (e.type) {
      case 'training:started': {
        epochs = e.config.epochs
        batchSize = e.config.batchSize
        const c = e.config
        const ds = c.dataset.kind === 'embedded' ? 'MNIST (embedded)' : c.dataset.path
        process.stdout.write(
          [
            `Training ${c.architecture ? `architecture ${c.architecture.name}` : `preset ${c.preset}`}: ${c.epochs} epochs, batch ${c.batchSize}, learning rate ${c.learningRate}, seed ${c.seed}, augmentation ${c.augment ? 'on' : 'off'}`,
            ...(e.initialEpoch
              ? [`Resuming after epoch ${e.initialEpoch} from ${c.resumeFrom}`]
              : []),
            ...(c.fromModel
              ? [`Fine-tuning from ${c.fromModel} (a new run; the model stays)`]
              : []),
            ...(c.addImages ? [`Added images: ${c.addImages} (${ADDED_MIX})`] : []),
            backendLine,
            ...(e.threads ? [`Threads:  ${e.threads}`] : []),
            `Dataset:  ${ds}: ${e.trainCount.toLocaleString('en-US')} train / ${e.validationCount.toLocaleString('en-US')} validation / ${e.testCount.toLocaleString('en-US')} test`,
            ...skippedLines(e.skippedImages),
            'Model:',
            formatSummary(e.summary),
            ''
          ].join('\n')
        )
        break
      }
      case 'training:batch': {
        if (barEpoch !== e.epoch) {
          barEpoch = e.epoch
          bar.start(e.batchesPerEpoch, 0, {
            epoch: `${e.epoch}/${epochs}`,
            loss: '-',
            acc: '-',
            sps: '-',
            etaText: '?'
          })
        }
        const left = ((e.batchesPerEpoch - e.batch) * batchSize) / e.samplesPerSecond
        bar.update(e.batch, {
          loss: Number.isFinite(e.loss) ? e.loss.toFixed(4) : String(e.loss),
          acc: `${(e.accuracy * 100).toFixed(1)}%`,
          sps: Math.round(e.samplesPerSecond).toLocaleString('en-US'),
          etaText: formatDuration(left)
        })
        break
      }
      case 'training:epoch':
        bar.stop()
        barEpoch = 0
        process.stdout.write(
          `${formatEpoch(e)}${e.epoch < e.epochs ? `, ETA ${formatDuration(e.etaSeconds)}` : ''}\n`
        )
        break
      case 'training:paused':
      case 'training:resumed':
        break
      case 'training:stopped':
        bar.stop()
        process.stdout.write(
          `Stopped at epoch ${e.epoch}, batch ${e.batch}. Completed epochs are checkpointed in the run folder.\n`
        )
        break
      case 'training:error':
        bar.stop()
        break
      case 'training:done':
        bar.stop()
        process.stdout.write(formatDone(e) + '\n')
        break
    }
  }
}

/** Runs one training session on `engine` until done, stopped or failed. Ctrl-C asks for a clean stop. */
async function runOnEngine(
  engine: EngineClient,
  config: TrainConfig,
  json: boolean
): Promise<number> {
  const info = await engine.request('engine:info', {})
  const backendLine = `Backend:  ${info.backend} - ${info.backendReason}`
  const print = json
    ? (e: EngineEvent) => process.stdout.write(JSON.stringify(e) + '\n')
    : humanPrinter(backendLine)
  let finish!: (o: Outcome) => void
  const outcome = new Promise<Outcome>((res) => (finish = res))
  const offEvent = engine.onEvent((e) => {
    if (!e.type.startsWith('training:')) return
    print(e)
    if (e.type === 'training:done') finish({ kind: 'done', event: e })
    else if (e.type === 'training:stopped') finish({ kind: 'stopped' })
    else if (e.type === 'training:error')
      finish({ kind: 'error', error: new EngineError(e.error.code, e.error.message) })
  })
  const offExit = engine.onExit((exit) =>
    finish({ kind: 'error', error: new EngineError('ENGINE_CRASHED', exit.reason) })
  )
  let interrupts = 0
  const onSigint = (): void => {
    // First Ctrl-C: stop after the current batch (the engine ignores SIGINT, the host decides).
    // Second: give up at once, ending the engine first (RELIABILITY T4).
    if (++interrupts > 1) return void endEngineAndExit(engine, 130)
    process.stderr.write('\nStopping after the current batch (Ctrl-C again to quit at once)...\n')
    void engine.request('training:stop', {}).catch(() => undefined)
  }
  process.on('SIGINT', onSigint)
  try {
    await engine.request('training:start', config)
    const result = await outcome
    if (result.kind === 'error') throw result.error
    if (result.kind === 'stopped') return 130
    if (json) {
      const d = result.event
      const summary = {
        type: 'done',
        testAccuracy: d.testAccuracy,
        testLoss: d.testLoss,
        testCount: d.testCount,
        samplesPerSecond: d.samplesPerSecond,
        totalSeconds: d.totalSeconds,
        backend: d.backend,
        backendReason: info.backendReason,
        modelDir: d.modelDir,
        runDir: d.runDir,
        peakRssBytes: d.peakRssBytes,
        ...(d.addedImages !== undefined
          ? {
              addedImages: d.addedImages,
              skippedImages: d.skippedImages,
              heldOutCount: d.heldOutCount,
              heldOutAccuracyBefore: d.heldOutAccuracyBefore,
              heldOutAccuracyAfter: d.heldOutAccuracyAfter,
              testAccuracyBefore: d.testAccuracyBefore,
              fromModel: d.fromModel
            }
          : {}),
        ...(d.bestEpoch ? { bestEpoch: d.bestEpoch, stoppedEarly: d.stoppedEarly } : {})
      }
      process.stdout.write(JSON.stringify(summary) + '\n')
    }
    return 0
  } finally {
    process.off('SIGINT', onSigint)
    offEvent()
    offExit()
  }
}

/** `digit-studio train`: trains a preset in a forked engine, streams progress, saves the model. */
export async function runTrain(argv: string[]): Promise<number> {
  const { config, json, backend, modelSpec } = configFromArgs(argv)
  return withEngine(
    backendEnv(backend),
    async (engine) => {
      if (modelSpec) {
        const check = await checkModelSpecArg(engine, modelSpec, config.batchSize)
        if (check.problem) throw new EngineError('MODEL_INVALID', `${modelSpec}: ${check.problem}`)
        config.architecture = check.spec
      }
      return runOnEngine(engine, config, json)
    },
    { ownSigint: true }
  )
}
