/**
 * The gallery of test-set predictions: filter, sort, and a sparse cache of pages fetched from the
 * engine as the virtual grid scrolls. Only the pages around the visible rows are ever requested,
 * never all 10,000 images at once. Responses to an older filter are dropped by generation number,
 * so a slow page can't paint digits of the previous filter.
 */
import type { RendererApi } from '#shared/ipc-contract'
import type { PredictionFilter, TestPrediction } from '#shared/protocol/training'
import { errorInfo } from '../api'

type GalleryApi = Pick<RendererApi, 'predictions'>
export type GallerySort = 'index' | 'confidence'

/** Items per request: about one screen of tiles, so the first paint waits for little data. */
export const PAGE_SIZE = 120

/** Human label of a filter, for the toolbar and the empty state. */
export function describeFilter(filter: PredictionFilter): string {
  switch (filter.kind) {
    case 'all':
      return 'All test digits'
    case 'misclassified':
      return 'Misclassified'
    case 'true':
      return `True digit ${filter.label}`
    case 'predicted':
      return `Predicted ${filter.label}`
    case 'pair':
      return `True ${filter.trueLabel}, predicted ${filter.predicted}`
  }
}

export class GalleryState {
  filter = $state.raw<PredictionFilter>({ kind: 'all' })
  sort = $state<GallerySort>('index')
  /** Matching predictions in total; null until the first page has arrived. */
  total = $state<number | null>(null)
  /** page index -> items; replaced (not mutated) when a page arrives. */
  pages = $state.raw<ReadonlyMap<number, TestPrediction[]>>(new Map())
  selected = $state.raw<TestPrediction | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)
  /** True when the engine has no trained model to predict with yet. */
  noModel = $state(false)

  #api: GalleryApi
  #generation = 0
  #inflight = new Set<number>()

  constructor(api: GalleryApi) {
    this.#api = api
  }

  /** The prediction at position `i` of the filtered, sorted list, if its page has arrived. */
  item(i: number): TestPrediction | undefined {
    return this.pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE]
  }

  /** Drops the cache and fetches the first page again (after a run, or a new filter). */
  async refresh(): Promise<void> {
    this.#generation += 1
    this.#inflight.clear()
    this.pages = new Map()
    this.total = null
    this.error = null
    this.noModel = false
    await this.#fetchPage(0)
  }

  setFilter(filter: PredictionFilter): Promise<void> {
    this.filter = filter
    return this.refresh()
  }

  setSort(sort: GallerySort): Promise<void> {
    this.sort = sort
    return this.refresh()
  }

  /** Makes sure items `first..last` (inclusive) are loaded or on their way. */
  ensureRange(first: number, last: number): void {
    if (this.total === null || this.noModel) return
    const end = Math.min(last, this.total - 1)
    for (let page = Math.floor(Math.max(0, first) / PAGE_SIZE); page * PAGE_SIZE <= end; page++) {
      if (!this.pages.has(page) && !this.#inflight.has(page)) void this.#fetchPage(page)
    }
  }

  select(item: TestPrediction | null): void {
    this.selected = item
  }

  async #fetchPage(page: number): Promise<void> {
    const generation = this.#generation
    this.#inflight.add(page)
    this.loading = true
    try {
      const result = await this.#api.predictions.page({
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        filter: $state.snapshot(this.filter) as PredictionFilter,
        sort: this.sort
      })
      if (generation !== this.#generation) return
      const next = new Map(this.pages)
      next.set(page, result.items)
      this.pages = next
      this.total = result.total
    } catch (err) {
      if (generation !== this.#generation) return
      const { code, message } = errorInfo(err)
      if (code === 'NO_MODEL') this.noModel = true
      else this.error = message
      this.total ??= 0
    } finally {
      if (generation === this.#generation) {
        this.#inflight.delete(page)
        this.loading = this.#inflight.size > 0
      }
    }
  }
}
