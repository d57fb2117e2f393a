/**
 * Hyperparameter studies (issue 14): a search space, a strategy and a budget; trials are training
 * runs judged on their validation split only. The study lives in a folder (engine/studies/) so it
 * survives a crash and resumes without redoing finished trials.
 */
import * as v from 'valibot'
import { ModelSpecSchema, type ModelSpec } from '../model-spec/schema'
import type { SerializedError } from '../errors'
import { DropoutSchema, EarlyStoppingSchema, WidthMultiplierSchema } from './run-options'
import { PRESETS, TrainConfigSchema, type PresetName, type TrainConfig } from './training'

export const STRATEGIES = ['grid', 'random', 'halving'] as const
export type Strategy = (typeof STRATEGIES)[number]

const T = TrainConfigSchema.entries
/** A list of values to choose from: each checked with the training form's own limits. */
const values = <S extends v.GenericSchema>(item: S) =>
  v.object({ values: v.pipe(v.array(item), v.minLength(1), v.maxLength(20)) })
/** A continuous range (random draws inside it; the grid takes `steps` points, ends included). */
const range = <S extends v.GenericSchema>(bound: S) =>
  v.pipe(
    v.object({
      min: bound,
      max: bound,
      steps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)))
    }),
    v.check((r) => (r.min as number) <= (r.max as number), 'min must not be above max')
  )
const numeric = <S extends v.GenericSchema>(schema: S) => v.union([values(schema), range(schema)])

/** Architecture names: a preset or (after issue 14 part 1) a saved named model. */
const ArchitectureName = v.pipe(v.string(), v.minLength(1), v.maxLength(120))

/**
 * The search space. An absent dimension keeps the base preset's setting. The learning rate's range
 * is log-uniform (a rate between 1e-4 and 1e-2 is as likely below 1e-3 as above); the other ranges
 * are uniform.
 */
export const SpaceSchema = v.strictObject({
  learningRate: v.optional(numeric(T.learningRate)),
  batchSize: v.optional(values(T.batchSize)),
  epochs: v.optional(values(T.epochs)),
  learningRateDecay: v.optional(numeric(v.pipe(v.number(), v.gtValue(0), v.maxValue(1)))),
  dropout: v.optional(numeric(DropoutSchema)),
  widthMultiplier: v.optional(numeric(WidthMultiplierSchema)),
  augment: v.optional(values(v.boolean())),
  architecture: v.optional(values(ArchitectureName))
})
export type Space = v.InferOutput<typeof SpaceSchema>
export type Dimension = keyof Space

/** One point of the space: what a trial trains with. */
export interface TrialParams {
  architecture: string
  learningRate: number
  batchSize: number
  epochs: number
  learningRateDecay: number
  augment: boolean
  widthMultiplier?: number
  dropout?: number
}

const Minutes = v.pipe(v.number(), v.gtValue(0), v.maxValue(7 * 24 * 60))

/** What `study:start` takes: a new study, or `studyDir` of an existing one to resume it. */
const StudyStartSchema = v.object({
  preset: v.optional(v.picklist(PRESETS)),
  space: v.optional(SpaceSchema),
  strategy: v.optional(v.picklist(STRATEGIES)),
  /** Trials to run (grid: the first N points; random and halving: N configurations drawn). */
  trials: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))),
  /** Start no new trial after this many minutes. */
  minutes: v.optional(Minutes),
  /** Training images every trial may use (the study's subset); the full budget of one trial. */
  trainLimit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(60000))),
  /** Images held out of the training set to judge the trials. */
  validationImages: v.optional(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(30000))),
  seed: v.optional(T.seed),
  earlyStopping: v.optional(EarlyStoppingSchema),
  /** The user's own architecture as the study's base (`tune --model-spec`); the preset gives defaults. */
  modelSpec: v.optional(ModelSpecSchema),
  /** A folder of its own; default `<dataHome>/studies/<id>`. An existing study there resumes. */
  studyDir: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096)))
})
export type StudyStart = v.InferOutput<typeof StudyStartSchema>

/** A study's settings as kept in its folder (study.json): every default resolved. */
export interface StudySettings {
  version: 1
  id: string
  preset: PresetName
  space: Space
  strategy: Strategy
  trials?: number
  minutes?: number
  trainLimit: number
  validationImages: number
  seed: number
  earlyStopping?: TrainConfig['earlyStopping']
  /** The base architecture when it is the user's own (trials name it by `modelSpec.name`). */
  modelSpec?: ModelSpec
  created: string
}

/** One epoch of a trial, for its curves. */
export interface TrialEpoch {
  epoch: number
  loss: number
  accuracy: number
  valLoss: number | null
  valAccuracy: number | null
}

/** A trial's training at one rung of successive halving (grid and random have rung 0 only). */
export interface RungResult {
  rung: number
  epochs: number
  /** Training images per epoch at this rung. */
  trainImages: number
  /** Images processed in total (epochs actually trained x images): the study's compute. */
  imagesProcessed: number
  valAccuracy: number | null
  valLoss: number | null
  seconds: number
  curve: TrialEpoch[]
  bestEpoch?: number
  error?: SerializedError
}

/** One configuration of the study and how far it got. */
export interface TrialRecord {
  trial: number
  params: TrialParams
  status: 'running' | 'complete' | 'pruned' | 'failed'
  rungs: RungResult[]
}

export interface StudyBest {
  trial: number
  params: TrialParams
  valAccuracy: number
}

/** A study as the views see it: its settings, trials so far, the best, and where it lives. */
interface StudyState {
  dir: string
  settings: StudySettings
  trials: TrialRecord[]
  best: StudyBest | null
  /** Configurations the strategy plans (halving: at its first rung). */
  planned: number
}

export interface StudyListItem {
  dir: string
  id: string
  preset: PresetName
  strategy: Strategy
  created: string
  finished: number
  best: number | null
}

export type StudyEvent =
  | {
      type: 'study:started'
      dir: string
      settings: StudySettings
      planned: number
      resumed: number
    }
  | {
      type: 'study:epoch'
      dir: string
      trial: number
      rung: number
      epoch: TrialEpoch
      epochs: number
    }
  | { type: 'study:trial'; dir: string; record: TrialRecord }
  | { type: 'study:paused' | 'study:resumed'; dir: string }
  | {
      type: 'study:done'
      dir: string
      best: StudyBest | null
      trials: number
      /** Why it ended: every planned trial ran, the time budget ran out, or the user stopped it. */
      reason: 'finished' | 'minutes' | 'stopped'
      imagesProcessed: number
    }
  | { type: 'study:error'; dir: string; error: SerializedError }

const Empty = v.optional(v.object({}), {})
const DirParams = v.object({ dir: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) })

export const studyParamSchemas = {
  'study:start': StudyStartSchema,
  'study:stop': Empty,
  'study:pause': Empty,
  'study:resume': Empty,
  'study:list': Empty,
  'study:get': DirParams
} as const

export interface StudyMethods {
  /** Resolves once the study is under way; trials arrive as `study:*` events. */
  'study:start': { params: StudyStart; result: { dir: string } }
  'study:stop': { params: Record<string, never>; result: { stopped: boolean } }
  'study:pause': { params: Record<string, never>; result: { paused: boolean } }
  'study:resume': { params: Record<string, never>; result: { resumed: boolean } }
  'study:list': { params: Record<string, never>; result: StudyListItem[] }
  'study:get': { params: { dir: string }; result: StudyState }
}
