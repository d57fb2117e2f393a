/**
 * The gallery of predictions on a source (the MNIST test set, My digits, a dataset folder): filter, sort, and a sparse cache of pages fetched from the
 * engine as the virtual grid scrolls. Only the pages around the visible rows are ever requested,
 * never all 10,000 images at once. Responses to an older filter are dropped by generation number,
 * so a slow page can't paint digits of the previous filter.
 */
import type { RendererApi } from '#shared/ipc-contract'
import type { GallerySource } from '#shared/protocol/gallery'
import type { PredictionFilter, TestPrediction } from '#shared/protocol/predictions'
import { errorInfo } from '../api'

type GalleryApi = Pick<RendererApi, 'predictions' | 'on'>
export type GallerySort = 'index' | 'confidence'

/** Items per request: about one screen of tiles, so the first paint waits for little data. */
export const PAGE_SIZE = 120

/** Human label of a filter, for the toolbar and the empty state. */
export function describeFilter(filter: PredictionFilter): string {
  switch (filter.kind) {
    case 'all':
      return 'All digits'
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

/** A tile's or the detail dialog's name for a digit: its file, or its place in the test set. */
export function digitTitle(item: TestPrediction): string {
  return item.name ?? `Test image #${item.index}`
}

/** What the gallery shows, in words (source picker, panel title). */
export function describeSource(source: GallerySource): string {
  switch (source.kind) {
    case 'mnist':
      return 'MNIST test set'
    case 'my-digits':
      return 'My digits'
    case 'folder':
      return `Folder ${source.path.split(/[\\/]/).filter(Boolean).pop() ?? source.path}`
  }
}

/** The gallery panel's and grid's name: what is predicted. */
export function galleryTitle(source: GallerySource): string {
  return source.kind === 'mnist' ? 'Test predictions' : `Predictions on ${describeSource(source)}`
}

export class GalleryState {
  /** Which images the gallery pages through; filters and sort apply to every source alike. */
  source = $state.raw<GallerySource>({ kind: 'mnist' })
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

  /** A new filter, on `source` when given (the confusion matrix shows MNIST test digits). */
  setFilter(filter: PredictionFilter, source: GallerySource = this.source): Promise<void> {
    this.filter = filter
    this.source = source
    return this.refresh()
  }

  setSource(source: GallerySource): Promise<void> {
    this.source = source
    return this.refresh()
  }

  /**
   * Reloads when what is shown changes: My digits after `digits:changed`, any source after an
   * imported model (a finished run is handled by the app state). Returns the unsubscribe.
   */
  connect(): () => void {
    const offs = [
      this.#api.on('digits:changed', () => {
        if (this.source.kind === 'my-digits') void this.refresh()
      }),
      this.#api.on('model:changed', () => void this.refresh())
    ]
    return () => offs.forEach((off) => off())
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
        sort: this.sort,
        source: $state.snapshot(this.source) as GallerySource
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
