/**
 * The training run as the dashboard sees it: status, progress, metric series and results.
 *
 * The run lives here, not in a component, so it survives switching panels: the subscription to
 * engine events is made once (`connect`) and components only read. Metric series and results are
 * `$state.raw` and replaced on every event (never pushed into), so nothing deep-proxies big arrays
 * and the charts get plain data (see metric-series.ts, RELIABILITY T3).
 */
import type { RendererApi } from '#shared/ipc-contract'
import { errorInfo } from '../api'
import type { TrainConfig } from '#shared/protocol/training'
import type {
  BatchEvent,
  DoneEvent,
  EpochEvent,
  PausedEvent,
  TrainingStartedEvent
} from '#shared/protocol/training-events'
import {
  appendBatch,
  appendEpoch,
  appendFailure,
  batchX,
  emptySeries,
  type MetricSeries
} from '../charts/metric-series'
import { formatDuration, formatPercent } from '../format'

type RunStatus =
  'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'done' | 'stopped' | 'error'

/** The part of `window.api` the training state uses (tests pass a fake with just these). */
type TrainingApi = Pick<RendererApi, 'training' | 'app' | 'on'>

/** Taskbar progress changes smaller than this aren't sent: the OS can't show them anyway. */
const TASKBAR_STEP = 0.01

export class TrainingState {
  status = $state<RunStatus>('idle')
  runId = $state<string | null>(null)
  /** What the engine said when the run started (counts, model summary, backend). */
  started = $state.raw<TrainingStartedEvent | null>(null)
  config = $state.raw<TrainConfig | null>(null)
  epoch = $state(0)
  epochs = $state(0)
  /** Batches finished in the current epoch. */
  batch = $state(0)
  batchesPerEpoch = $state(0)
  samplesPerSecond = $state<number | null>(null)
  etaSeconds = $state<number | null>(null)
  series = $state.raw<MetricSeries>(emptySeries())
  lastEpoch = $state.raw<EpochEvent | null>(null)
  result = $state.raw<DoneEvent | null>(null)
  error = $state<string | null>(null)
  /** Bumped whenever a run ends with a model, so the gallery knows to refetch. */
  completedRuns = $state(0)

  readonly busy = $derived(['starting', 'running', 'paused', 'stopping'].includes(this.status))
  readonly canStart = $derived(!this.busy)
  readonly canPause = $derived(this.status === 'running')
  readonly canResume = $derived(this.status === 'paused')
  readonly canStop = $derived(['starting', 'running', 'paused'].includes(this.status))
  /** Fraction of the current epoch done, 0-1. */
  readonly epochFraction = $derived(
    this.batchesPerEpoch > 0 ? Math.min(1, this.batch / this.batchesPerEpoch) : 0
  )
  /** Fraction of the whole run done, 0-1. */
  readonly overallFraction = $derived.by(() => {
    if (this.status === 'done') return 1
    if (this.epochs <= 0) return 0
    const epochsDone = Math.max(0, this.epoch - 1) + this.epochFraction
    return Math.min(1, epochsDone / this.epochs)
  })

  #api: TrainingApi
  #startedAt = 0
  #lastTaskbar = -1
  #unsubscribe: (() => void)[] = []

  constructor(api: TrainingApi) {
    this.#api = api
  }

  /** Subscribes to the engine's training events; returns the function that unsubscribes. */
  connect(): () => void {
    if (this.#unsubscribe.length) return () => this.disconnect()
    const api = this.#api
    this.#unsubscribe = [
      api.on('training:started', (e) => this.#mine(e.runId, true) && this.#onStarted(e)),
      api.on('training:batch', (e) => this.#mine(e.runId) && this.#onBatch(e)),
      api.on('training:epoch', (e) => this.#mine(e.runId) && this.#onEpoch(e)),
      api.on('training:done', (e) => this.#mine(e.runId) && this.#onDone(e)),
      api.on('training:stopped', (e) => this.#mine(e.runId) && this.#finish('stopped')),
      // PausedEvent carries both types in one interface, so IpcEventOf can't narrow it: annotate.
      api.on(
        'training:paused',
        (e: PausedEvent) => this.#mine(e.runId) && this.#setStatus('paused')
      ),
      api.on(
        'training:resumed',
        (e: PausedEvent) => this.#mine(e.runId) && this.#setStatus('running')
      ),
      api.on('training:error', (e) => {
        if (!this.#mine(e.runId)) return
        this.error = e.error.message
        if (e.error.code === 'NAN_LOSS') {
          const x = batchX(this.epoch, this.batch + 1, this.batchesPerEpoch)
          this.series = appendFailure(this.series, x, e.error.message)
        }
        this.#finish('error')
      }),
      // A dead engine takes its run with it: no done/stopped/error event will ever come, so the
      // run ends here (Train enabled again; the Engine view offers the restart).
      api.on('engine:state', (e) => {
        if ((e.state !== 'crashed' && e.state !== 'stopped') || !this.busy) return
        const what = e.state === 'crashed' ? 'Engine crashed' : 'Engine stopped'
        this.error = `${what}: ${e.reason ?? 'unknown reason'}`
        this.#finish('error')
      })
    ]
    return () => this.disconnect()
  }

  disconnect(): void {
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
  }

  /** Starts a run with `config`; progress arrives as events. Errors end up in `error`. */
  async start(config: TrainConfig): Promise<void> {
    if (!this.canStart) return
    this.#reset(config)
    this.status = 'starting'
    try {
      const { runId } = await this.#api.training.start(config)
      // The started event may have arrived before the reply; either way this is our run now.
      this.runId = runId
      if (this.status === 'starting') this.status = 'running'
    } catch (err) {
      // An engine crash may already have ended the run (and said why): don't end it twice.
      if (!this.busy) return
      this.error = errorInfo(err).message
      this.#finish('error')
    }
  }

  async pause(): Promise<void> {
    if (!this.canPause) return
    await this.#call(async () => {
      const { paused } = await this.#api.training.pause({})
      if (paused && this.status === 'running') this.status = 'paused'
    })
  }

  async resume(): Promise<void> {
    if (!this.canResume) return
    await this.#call(async () => {
      const { resumed } = await this.#api.training.resume({})
      if (resumed && this.status === 'paused') this.status = 'running'
    })
  }

  /** Asks the engine to stop; the run ends when the `training:stopped` event arrives. */
  async stop(): Promise<void> {
    if (!this.canStop) return
    this.status = 'stopping'
    await this.#call(async () => {
      const { stopped } = await this.#api.training.stop({})
      if (!stopped && this.status === 'stopping') this.#finish('stopped')
    })
  }

  async #call(fn: () => Promise<void>): Promise<void> {
    try {
      await fn()
    } catch (err) {
      // Keep the reason a run failed (e.g. the engine crash) over the failed request's echo of it.
      if (this.status !== 'error') this.error = errorInfo(err).message
    }
  }

  // Events of another run (e.g. one the CLI started on a shared engine) are ignored; while our
  // start request is in flight we don't know our id yet, so the first started event claims it.
  #mine(runId: string, claim = false): boolean {
    if (this.runId === null && this.status === 'starting' && claim) {
      this.runId = runId
      return true
    }
    return this.runId === runId
  }

  #reset(config: TrainConfig): void {
    this.config = config
    this.runId = null
    this.started = null
    this.epoch = 1
    this.epochs = config.epochs
    this.batch = 0
    this.batchesPerEpoch = 0
    this.samplesPerSecond = null
    this.etaSeconds = null
    this.series = emptySeries()
    this.lastEpoch = null
    this.result = null
    this.error = null
    this.#startedAt = performance.now()
    this.#lastTaskbar = -1
  }

  #setStatus(status: RunStatus): void {
    if (this.busy) this.status = status
  }

  #onStarted(e: TrainingStartedEvent): void {
    this.started = e
    this.batchesPerEpoch = e.batchesPerEpoch
    this.epochs = e.config.epochs
    this.#startedAt = performance.now()
    if (this.status === 'starting') this.status = 'running'
  }

  #onBatch(e: BatchEvent): void {
    this.epoch = e.epoch
    this.batch = e.batch
    this.batchesPerEpoch = e.batchesPerEpoch
    if (Number.isFinite(e.samplesPerSecond)) this.samplesPerSecond = e.samplesPerSecond
    this.series = appendBatch(this.series, e)
    this.#updateEta()
  }

  #onEpoch(e: EpochEvent): void {
    this.series = appendEpoch(this.series, e, (this.config?.validationSplit ?? 0) > 0)
    this.lastEpoch = e
    this.epochs = e.epochs
    if (Number.isFinite(e.samplesPerSecond)) this.samplesPerSecond = e.samplesPerSecond
    // The epoch is complete; the next batch event moves the counters on.
    this.epoch = e.epoch
    this.batch = this.batchesPerEpoch
    this.etaSeconds = Number.isFinite(e.etaSeconds) ? e.etaSeconds : this.etaSeconds
    this.#taskbar()
  }

  #onDone(e: DoneEvent): void {
    this.result = e
    this.epoch = this.epochs
    this.batch = this.batchesPerEpoch
    this.etaSeconds = 0
    this.completedRuns += 1
    this.#finish('done')
  }

  // ETA from the measured pace of this run: elapsed * (remaining / done). It settles within a few
  // batches and needs nothing from the engine beyond progress.
  #updateEta(): void {
    const done = this.overallFraction
    const elapsed = (performance.now() - this.#startedAt) / 1000
    this.etaSeconds = done > 0.001 ? (elapsed * (1 - done)) / done : null
    this.#taskbar()
  }

  #taskbar(): void {
    const fraction = this.overallFraction
    if (Math.abs(fraction - this.#lastTaskbar) < TASKBAR_STEP) return
    this.#lastTaskbar = fraction
    void Promise.resolve(this.#api.app.progress({ fraction })).catch(() => {})
  }

  #finish(status: 'done' | 'stopped' | 'error'): void {
    this.status = status
    void Promise.resolve(this.#api.app.progress({ fraction: -1 })).catch(() => {})
    const elapsed = formatDuration((performance.now() - this.#startedAt) / 1000)
    const body =
      status === 'done' && this.result
        ? `Test accuracy ${formatPercent(this.result.testAccuracy)} after ${elapsed}.`
        : status === 'stopped'
          ? `Stopped at epoch ${this.epoch}, batch ${this.batch}.`
          : (this.error ?? 'The run failed.')
    const title =
      status === 'done'
        ? 'Training finished'
        : status === 'stopped'
          ? 'Training stopped'
          : 'Training failed'
    void Promise.resolve(this.#api.app.notify({ title, body: body.slice(0, 1000) })).catch(() => {})
  }
}
