/**
 * Run history for the Runs & Export view: the list of runs, which ones are selected for comparing
 * curves, and their per-epoch metrics (fetched once per run and cached). Lists and details are
 * `$state.raw` and replaced, never mutated, so the chart always gets plain arrays.
 */
import type { RendererApi } from '#shared/ipc-contract'
import type { RunDetail, RunSummary } from '#shared/protocol/models'
import { errorInfo } from '../api'
import { runArchitecture } from '../model-label'

type RunsApi = Pick<RendererApi, 'runs'>

/** Curves of one run, as plain numbers for Chart.js (null = gap, e.g. a NaN loss or no validation). */
export interface RunCurves {
  id: string
  label: string
  epochs: number[]
  loss: (number | null)[]
  accuracy: (number | null)[]
  valLoss: (number | null)[]
  valAccuracy: (number | null)[]
}

/** At most this many runs are overlaid: more lines than that can't be told apart. */
export const MAX_COMPARED = 6

/** Turns a run's epochs into plain arrays for the comparison chart. */
function curvesOf(run: RunDetail): RunCurves {
  const e = run.epochs
  return {
    id: run.id,
    label: `${runArchitecture(run) ?? 'run'} · ${run.id}`,
    epochs: e.map((x) => x.epoch),
    loss: e.map((x) => x.loss),
    accuracy: e.map((x) => x.accuracy),
    valLoss: e.map((x) => x.valLoss),
    valAccuracy: e.map((x) => x.valAccuracy)
  }
}

export class RunsState {
  runs = $state.raw<RunSummary[]>([])
  dir = $state('')
  loading = $state(false)
  error = $state<string | null>(null)
  /** Ids selected for the comparison chart, in the order they were picked. */
  selected = $state.raw<string[]>([])
  /** Per-run details, fetched on first selection. */
  details = $state.raw<Record<string, RunDetail>>({})
  /** The run whose delete button was pressed once and waits for confirmation. */
  confirmingDelete = $state<string | null>(null)

  /** Plain curve arrays of the selected runs that have loaded, for the chart. */
  readonly compared = $derived(
    this.selected.filter((id) => this.details[id]).map((id) => curvesOf(this.details[id]))
  )

  #api: RunsApi

  constructor(api: RunsApi) {
    this.#api = api
  }

  /** Reloads the list (app-state.ts calls it at start and whenever a run starts or ends). */
  async refresh(): Promise<void> {
    this.loading = true
    try {
      const { runs, dir } = await this.#api.runs.list({})
      this.runs = runs
      this.dir = dir
      // Selections of runs that no longer exist are dropped.
      this.selected = this.selected.filter((id) => runs.some((r) => r.id === id))
      this.error = null
    } catch (err) {
      this.error = errorInfo(err).message
    } finally {
      this.loading = false
    }
  }

  isSelected(id: string): boolean {
    return this.selected.includes(id)
  }

  /** Adds a run to the comparison (fetching its epochs once) or removes it. */
  async toggle(id: string): Promise<void> {
    if (this.isSelected(id)) {
      this.selected = this.selected.filter((x) => x !== id)
      return
    }
    if (this.selected.length >= MAX_COMPARED) {
      this.error = `Compare at most ${MAX_COMPARED} runs at a time`
      return
    }
    this.selected = [...this.selected, id]
    if (this.details[id]) return
    try {
      const detail = await this.#api.runs.get({ id })
      this.details = { ...this.details, [id]: detail }
    } catch (err) {
      this.selected = this.selected.filter((x) => x !== id)
      this.error = errorInfo(err).message
    }
  }

  /** First press asks for confirmation; the second (same run) deletes it. */
  async requestDelete(id: string): Promise<void> {
    if (this.confirmingDelete !== id) {
      this.confirmingDelete = id
      return
    }
    this.confirmingDelete = null
    try {
      await this.#api.runs.delete({ id })
      this.selected = this.selected.filter((x) => x !== id)
      const { [id]: _gone, ...rest } = this.details
      this.details = rest
      await this.refresh()
    } catch (err) {
      this.error = errorInfo(err).message
    }
  }

  cancelDelete(): void {
    this.confirmingDelete = null
  }
}
