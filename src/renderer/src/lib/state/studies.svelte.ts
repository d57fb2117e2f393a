/**
 * The Studies view's state: the space being defined (checked with the engine's own schema), the
 * study in progress or opened from history (its trials, live from `study:*` events), and which
 * trial is selected for its curves. Engine data is kept in `$state.raw` and replaced, never pushed.
 */
import * as v from 'valibot'
import type { RendererApi } from '#shared/ipc-contract'
import {
  SpaceSchema,
  type Space,
  type StudyBest,
  type StudyListItem,
  type StudySettings,
  type Strategy,
  type TrialEpoch,
  type TrialRecord
} from '#shared/protocol/studies'
import type { PresetName } from '#shared/protocol/training'
import { errorInfo } from '../api'

type StudiesApi = Pick<RendererApi, 'study' | 'on'>

/** The space form's text: lists are typed as "32, 64"; the learning rate as a log range. */
interface SpaceDraft {
  learningRateMin: number | null
  learningRateMax: number | null
  learningRateSteps: number | null
  batchSize: string
  epochs: string
  learningRateDecay: string
  dropout: string
  widthMultiplier: string
  augment: { off: boolean; on: boolean }
  architectures: PresetName[]
}

const list = (text: string): number[] | undefined => {
  const parts = text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(Number)
  return parts.length ? parts : undefined
}

/** The space a draft describes: blank lists leave that dimension at the preset's setting. */
function spaceFromDraft(d: SpaceDraft): Space {
  const space: Record<string, unknown> = {}
  if (d.learningRateMin !== null || d.learningRateMax !== null)
    space.learningRate = {
      min: d.learningRateMin,
      max: d.learningRateMax,
      ...(d.learningRateSteps !== null ? { steps: d.learningRateSteps } : {})
    }
  for (const key of [
    'batchSize',
    'epochs',
    'learningRateDecay',
    'dropout',
    'widthMultiplier'
  ] as const) {
    const values = list(d[key])
    if (values) space[key] = { values }
  }
  const augment = [...(d.augment.off ? [false] : []), ...(d.augment.on ? [true] : [])]
  if (augment.length) space.augment = { values: augment }
  if (d.architectures.length) space.architecture = { values: d.architectures }
  return space as Space
}

/** Dimension -> what is wrong with it, in the schema's words; empty when the space is valid. */
function spaceErrors(space: Space): Partial<Record<keyof Space, string>> {
  const result = v.safeParse(SpaceSchema, space)
  if (result.success) return {}
  const errors: Partial<Record<keyof Space, string>> = {}
  for (const issue of result.issues) {
    const key = issue.path?.[0]?.key as keyof Space | undefined
    const where = v.getDotPath(issue)
    if (key && !errors[key]) errors[key] = `${where}: ${issue.message}`
  }
  return errors
}

export class StudiesState {
  preset = $state<PresetName>('fast')
  strategy = $state<Strategy>('halving')
  trials = $state<number | null>(null)
  minutes = $state<number | null>(null)
  /** Small by default: a first study in a minute or two. */
  trainLimit = $state<number | null>(3000)
  validationImages = $state<number | null>(1000)
  seed = $state<number | null>(42)
  draft = $state<SpaceDraft>({
    learningRateMin: 0.0005,
    learningRateMax: 0.008,
    learningRateSteps: 3,
    batchSize: '64, 128',
    epochs: '',
    learningRateDecay: '',
    dropout: '',
    widthMultiplier: '1, 2',
    augment: { off: false, on: false },
    architectures: []
  })
  readonly space = $derived(spaceFromDraft(this.draft))
  readonly errors = $derived(spaceErrors(this.space))
  readonly valid = $derived(Object.keys(this.errors).length === 0)

  /** The study shown: the one running, or one opened from history. */
  dir = $state<string | null>(null)
  settings = $state.raw<StudySettings | null>(null)
  records = $state.raw<TrialRecord[]>([])
  planned = $state(0)
  best = $state.raw<StudyBest | null>(null)
  status = $state<'idle' | 'starting' | 'running' | 'paused' | 'done' | 'stopped' | 'error'>('idle')
  error = $state<string | null>(null)
  /** The running trial's epochs so far (the table's live row and its curves). */
  live = $state.raw<{ trial: number; rung: number; curve: TrialEpoch[]; epochs: number } | null>(
    null
  )
  selected = $state<number | null>(null)
  history = $state.raw<StudyListItem[]>([])

  #api: StudiesApi

  constructor(api: StudiesApi) {
    this.#api = api
  }

  /** Finished trials (pruned included) in the order they finished. */
  readonly finished = $derived(this.records.filter((r) => r.status !== 'running'))

  /** Best validation accuracy after each finished trial (the best-so-far curve). */
  readonly bestSoFar = $derived.by(() => {
    let best = 0
    return this.#finishOrder
      .map((r) => r.rungs.at(-1)?.valAccuracy ?? null)
      .map((acc, i) => {
        if (acc !== null && acc > best) best = acc
        return { index: i + 1, best }
      })
  })

  #finishOrder = $state.raw<TrialRecord[]>([])

  /** Subscribes to the engine's study events; returns the undo. */
  connect(): () => void {
    const offs = [
      this.#api.on('study:started', (e) => {
        this.dir = e.dir
        this.settings = e.settings
        this.planned = e.planned
        this.status = 'running'
        this.live = null
        if (e.resumed) void this.open(e.dir, true)
        else {
          this.records = []
          this.#finishOrder = []
          this.best = null
        }
      }),
      this.#api.on('study:epoch', (e) => {
        if (e.dir !== this.dir) return
        const same = this.live && this.live.trial === e.trial && this.live.rung === e.rung
        this.live = {
          trial: e.trial,
          rung: e.rung,
          epochs: e.epochs,
          curve: [...(same ? this.live!.curve : []), e.epoch]
        }
      }),
      this.#api.on('study:trial', (e) => {
        if (e.dir !== this.dir) return
        this.records = [...this.records.filter((r) => r.trial !== e.record.trial), e.record].sort(
          (a, b) => a.trial - b.trial
        )
        if (e.record.status !== 'running') this.#finishOrder = [...this.#finishOrder, e.record]
        this.live = null
      }),
      this.#api.on('study:paused', () => void (this.status = 'paused')),
      this.#api.on('study:resumed', () => void (this.status = 'running')),
      this.#api.on('study:done', (e) => {
        if (e.dir !== this.dir) return
        this.best = e.best
        this.status = e.reason === 'stopped' ? 'stopped' : 'done'
        this.live = null
        void this.loadHistory()
      }),
      this.#api.on('study:error', (e) => {
        this.status = 'error'
        this.error = e.error.message
      })
    ]
    void this.loadHistory()
    return () => offs.forEach((off) => off())
  }

  /** Starts a study over the space being defined. */
  async start(): Promise<void> {
    if (!this.valid) return
    this.status = 'starting'
    this.error = null
    this.selected = null
    const opt = (n: number | null): number | undefined =>
      n === null || Number.isNaN(n) ? undefined : n
    try {
      const params = {
        preset: this.preset,
        strategy: this.strategy,
        space: this.space,
        trials: opt(this.trials),
        minutes: opt(this.minutes),
        trainLimit: opt(this.trainLimit),
        validationImages: opt(this.validationImages),
        seed: opt(this.seed)
      }
      await this.#api.study.start(
        Object.fromEntries(Object.entries(params).filter(([, x]) => x !== undefined))
      )
    } catch (err) {
      this.status = 'error'
      this.error = errorInfo(err).message
    }
  }

  async pause(): Promise<void> {
    await this.#api.study.pause({})
  }
  async resume(): Promise<void> {
    await this.#api.study.resume({})
  }
  async stop(): Promise<void> {
    await this.#api.study.stop({})
  }

  /** Shows a study from its folder (history, or a resumed one catching up on its trials). */
  async open(dir: string, running = false): Promise<void> {
    try {
      const s = await this.#api.study.get({ dir })
      this.dir = s.dir
      this.settings = s.settings
      this.records = s.trials
      this.#finishOrder = s.trials.filter((r) => r.status !== 'running')
      this.planned = s.planned
      this.best = s.best
      if (!running) this.status = 'done'
    } catch (err) {
      this.error = errorInfo(err).message
    }
  }

  async loadHistory(): Promise<void> {
    try {
      this.history = (await this.#api.study.list({})) ?? []
    } catch {
      this.history = []
    }
  }
}
