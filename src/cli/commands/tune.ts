/**
 * `digit-studio tune`: a hyperparameter study in a forked engine. Trials are printed as they
 * finish (with --json, one line each, then a `study-done` line); `--study DIR` keeps the study in
 * DIR, and running the same command again with it resumes where a crash or Ctrl-C left it.
 */
import { numberFlag } from '../number-flag'
import { checkModelSpecArg } from '../model-spec-arg'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as v from 'valibot'
import type { EngineClient } from '#host/engine-client'
import { EngineError } from '#shared/errors'
import { describeIssues } from '#shared/schema-issues'
import {
  SpaceSchema,
  STRATEGIES,
  type Space,
  type StudyStart,
  type Strategy
} from '#shared/protocol/studies'
import { defaultSpace, trialLine } from '#shared/study-trials'
import { PRESETS, type PresetName } from '#shared/protocol/training'
import { backendEnv, endEngineAndExit, withEngine } from '../engine-session'

export const TUNE_USAGE =
  'digit-studio tune [--preset seed|fast|accurate] [--model-spec FILE.json|NAME] [--space FILE.json] --strategy grid|random|halving ' +
  '[--trials N] [--minutes M] [--train-limit N] [--validation-images N] [--early-stopping PATIENCE] ' +
  '[--study DIR] [--seed N] [--backend native|wasm|cpu] [--json] | digit-studio tune --print-space [--preset P]'

const OPTIONS = {
  preset: { type: 'string' },
  'model-spec': { type: 'string' },
  space: { type: 'string' },
  strategy: { type: 'string' },
  trials: { type: 'string' },
  minutes: { type: 'string' },
  'train-limit': { type: 'string' },
  'validation-images': { type: 'string' },
  'early-stopping': { type: 'string' },
  study: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'print-space': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false }
} as const

/** Reads and checks a space file; problems name the file and the field. */
export async function readSpaceFile(path: string): Promise<Space> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new EngineError(
      'BAD_REQUEST',
      `${path}: not a readable JSON file (${(err as Error).message})`
    )
  }
  const parsed = v.safeParse(SpaceSchema, raw)
  if (!parsed.success)
    throw new EngineError('BAD_REQUEST', `${path}: ${describeIssues(parsed.issues)}`)
  return parsed.output
}

/** The study request from the flags (the engine checks ranges again). */
export async function studyFromArgs(argv: string[]): Promise<{
  request: StudyStart
  json: boolean
  backend?: string
  printSpace: boolean
  /** `--model-spec FILE.json|NAME`: checked by the engine before the study starts. */
  modelSpec?: string
}> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true })
  const preset = (values.preset ?? 'fast') as PresetName
  if (!PRESETS.includes(preset))
    throw new EngineError('BAD_REQUEST', `--preset "${preset}" is not one of ${PRESETS.join(', ')}`)
  const strategy = values.strategy as Strategy | undefined
  if (strategy !== undefined && !STRATEGIES.includes(strategy))
    throw new EngineError(
      'BAD_REQUEST',
      `--strategy "${strategy}" is not one of ${STRATEGIES.join(', ')}`
    )
  if (!strategy && !values.study && !values['print-space'])
    throw new EngineError('BAD_REQUEST', `--strategy is needed: one of ${STRATEGIES.join(', ')}`)
  const patience = numberFlag('early-stopping', values['early-stopping'])
  const optional = {
    trials: numberFlag('trials', values.trials),
    minutes: numberFlag('minutes', values.minutes),
    trainLimit: numberFlag('train-limit', values['train-limit']),
    validationImages: numberFlag('validation-images', values['validation-images']),
    seed: numberFlag('seed', values.seed)
  }
  const request: StudyStart = {
    preset,
    ...(strategy ? { strategy } : {}),
    ...(values.space ? { space: await readSpaceFile(resolve(values.space)) } : {}),
    ...(values.study ? { studyDir: resolve(values.study) } : {}),
    ...(patience !== undefined ? { earlyStopping: { patience } } : {}),
    ...Object.fromEntries(Object.entries(optional).filter(([, x]) => x !== undefined))
  }
  return {
    request,
    json: values.json ?? false,
    backend: values.backend,
    printSpace: values['print-space'] ?? false,
    modelSpec: values['model-spec']
  }
}

const pct = (x: number | null): string => (x === null ? '   -  ' : `${(x * 100).toFixed(2)}%`)

/** Runs the study until it ends; Ctrl-C stops it after the current batch (finished trials stay). */
async function runOnEngine(
  engine: EngineClient,
  request: StudyStart,
  json: boolean
): Promise<number> {
  const print = (line: string): void => void process.stdout.write(line + '\n')
  let finish!: (r: { code: number; error?: EngineError }) => void
  const ended = new Promise<{ code: number; error?: EngineError }>((res) => (finish = res))
  const off = engine.onEvent((e) => {
    if (e.type === 'study:started' && !json) {
      const s = e.settings
      print(
        `Study ${e.dir}: ${s.strategy} over ${e.planned} configurations of ${s.preset}, ` +
          `${s.trainLimit} training / ${s.validationImages} validation images, seed ${s.seed}` +
          (e.resumed ? ` (resuming: ${e.resumed} trials already finished)` : '')
      )
    } else if (e.type === 'study:trial' && e.record.status !== 'running') {
      const t = trialLine(e.record)
      if (json) print(JSON.stringify({ type: 'trial', ...t }))
      else
        print(
          `trial ${t.trial}: ${pct(t.valAccuracy)} validation, ${t.epochs} epochs, ${t.seconds.toFixed(1)} s` +
            `${t.pruned ? ', pruned' : ''}${e.record.status === 'failed' ? `, failed: ${e.record.rungs.at(-1)?.error?.message}` : ''}` +
            `  ${JSON.stringify(t.params)}`
        )
    } else if (e.type === 'study:done') {
      if (json)
        print(
          JSON.stringify({
            type: 'study-done',
            best: e.best,
            trials: e.trials,
            reason: e.reason,
            imagesProcessed: e.imagesProcessed,
            dir: e.dir
          })
        )
      else
        print(
          `Study ${e.reason === 'finished' ? 'finished' : e.reason === 'minutes' ? 'ran out of time' : 'stopped'}: ${e.trials} trials, ` +
            (e.best
              ? `best trial ${e.best.trial} at ${pct(e.best.valAccuracy)} validation ${JSON.stringify(e.best.params)}`
              : 'no trial finished') +
            `\nResume or extend with --study ${e.dir}`
        )
      finish({ code: e.reason === 'stopped' ? 130 : 0 })
    } else if (e.type === 'study:error') {
      finish({ code: 2, error: new EngineError(e.error.code, e.error.message) })
    }
  })
  const offExit = engine.onExit((exit) =>
    finish({ code: 2, error: new EngineError('ENGINE_CRASHED', exit.reason) })
  )
  let interrupts = 0
  const onSigint = (): void => {
    if (++interrupts > 1) return void endEngineAndExit(engine, 130)
    process.stderr.write(
      '\nStopping the study after the current batch (Ctrl-C again to quit at once)...\n'
    )
    void engine.request('study:stop', {}).catch(() => undefined)
  }
  process.on('SIGINT', onSigint)
  try {
    await engine.request('study:start', request)
    const result = await ended
    if (result.error) throw result.error
    return result.code
  } finally {
    process.off('SIGINT', onSigint)
    off()
    offExit()
  }
}

/** `digit-studio tune`. */
export async function runTune(argv: string[]): Promise<number> {
  const { request, json, backend, printSpace, modelSpec } = await studyFromArgs(argv)
  if (printSpace) {
    process.stdout.write(
      JSON.stringify(request.space ?? defaultSpace(request.preset ?? 'fast'), null, 2) + '\n'
    )
    return 0
  }
  return withEngine(
    backendEnv(backend),
    async (engine) => {
      // The user's own architecture is the study's base: checked as `train --model-spec` checks it.
      if (modelSpec) {
        const check = await checkModelSpecArg(engine, modelSpec)
        if (check.problem) throw new EngineError('MODEL_INVALID', `${modelSpec}: ${check.problem}`)
        request.modelSpec = check.spec
      }
      return runOnEngine(engine, request, json)
    },
    { ownSigint: true }
  )
}
