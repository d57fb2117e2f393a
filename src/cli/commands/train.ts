import type { EngineClient } from '#host/engine-client'
import type { EngineEvent } from '#shared/engine-protocol'
import { EngineError } from '#shared/errors'
import type { TrainConfig } from '#shared/protocol/training'
import type { DoneEvent } from '#shared/protocol/training-events'
import { backendEnv, endEngineAndExit, withEngine } from '../engine-session'
import { checkModelSpecArg } from '../model-spec-arg'
import { configFromArgs } from './train-args'
import { doneSummary, humanPrinter } from './train-printer'

export const TRAIN_USAGE =
  'digit-studio train [--preset seed|fast|accurate] [--epochs N] [--batch-size N] [--learning-rate X] [--lr-decay X] ' +
  '[--validation-split X] [--train-limit N] [--test-limit N] [--data DIR] [--backend native|wasm|cpu] ' +
  '[--seed N] [--augment|--no-augment] [--early-stopping PATIENCE] [--min-delta X] [--model-spec FILE.json|NAME] [--resume DIR] [--out DIR] [--json]\n' +
  '  digit-studio train --from MODEL_DIR --add-images DIR [--epochs N] [...] [--json]  (fine-tune)'

type Outcome =
  { kind: 'done'; event: DoneEvent } | { kind: 'stopped' } | { kind: 'error'; error: EngineError }

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
      process.stdout.write(JSON.stringify(doneSummary(result.event, info.backendReason)) + '\n')
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
