/**
 * The Inside view's state: which digit is looked at (a gallery tile, a Classify digit, the draw
 * pad), the method and target class chosen, and the engine's explanation. The draw pad's live
 * updates are throttled: while one request runs, only the newest drawing waits (older ones are
 * dropped), so the view never falls behind the pen.
 */
import type { RendererApi } from '#shared/ipc-contract'
import type {
  DigitExplanation,
  ExplainMethod,
  InsideSnapshot,
  LayerActivation
} from '#shared/protocol/explain'
import { errorInfo } from '../api'

export type InsideApi = Pick<RendererApi, 'explain' | 'inside' | 'runs' | 'on'>

/** What the view explains: 28x28 bytes, or a drawing (PNG) the engine segments like a scan. */
type InsideSource =
  | { kind: 'digit'; title: string; pixels: Uint8Array }
  | { kind: 'drawing'; title: string; png: Uint8Array }

/** SmoothGrad copies for a live drawing update: the bench's draw-pad figure uses the same. */
const LIVE_SAMPLES = 8

export class InsideState {
  source = $state.raw<InsideSource | null>(null)
  method = $state<ExplainMethod>('smoothgrad')
  /** null: explain the predicted class. */
  target = $state<number | null>(null)
  explanation = $state.raw<DigitExplanation | null>(null)
  busy = $state(false)
  error = $state<string | null>(null)
  noModel = $state(false)

  /** While training: the run whose per-epoch snapshots are shown, its epochs, the one shown. */
  snapshotRun = $state<string | null>(null)
  snapshotEpochs = $state.raw<number[]>([])
  snapshot = $state.raw<InsideSnapshot | null>(null)

  #api: InsideApi
  #pending = false

  constructor(api: InsideApi) {
    this.#api = api
  }

  /** Looks at a 28x28 digit (gallery tile, Classify digit). */
  openDigit(pixels: Uint8Array, title: string): Promise<void> {
    this.source = { kind: 'digit', title, pixels }
    this.target = null
    return this.refresh()
  }

  /** Looks at the draw pad's picture; called after every stroke segment. */
  updateDrawing(png: Uint8Array): Promise<void> {
    // A class picked for another digit doesn't carry over to a new drawing.
    if (this.source?.kind !== 'drawing') this.target = null
    this.source = { kind: 'drawing', title: 'Your drawing', png }
    return this.refresh()
  }

  setMethod(method: ExplainMethod): Promise<void> {
    this.method = method
    return this.refresh()
  }

  setTarget(target: number | null): Promise<void> {
    this.target = target
    return this.refresh()
  }

  /** Asks the engine again for the current source; coalesces requests that arrive while busy. */
  async refresh(): Promise<void> {
    if (!this.source) return
    if (this.busy) {
      this.#pending = true
      return
    }
    this.busy = true
    try {
      do {
        this.#pending = false
        await this.#explain(this.source)
      } while (this.#pending)
    } finally {
      this.busy = false
    }
  }

  /**
   * Shows the newest run's snapshots and follows new ones as training writes them (one per epoch).
   * Returns the unsubscribe function.
   */
  watchTraining(): () => void {
    void this.#api.runs
      .list({})
      .then(({ runs }) => {
        const newest = runs
          .map((r) => r.id)
          .sort()
          .at(-1)
        if (newest) return this.loadRun(newest)
      })
      .catch(() => undefined) // no runs folder yet: nothing to show
    return this.#api.on('inside:snapshot', (e) => {
      if (e.runId !== this.snapshotRun) {
        this.snapshotRun = e.runId
        this.snapshotEpochs = []
      }
      this.snapshotEpochs = [...this.snapshotEpochs, e.epoch]
      void this.showEpoch(e.epoch)
    })
  }

  /** Lists a run's snapshots and shows the last one. */
  async loadRun(runId: string): Promise<void> {
    const { epochs } = await this.#api.inside.list({ runId })
    this.snapshotRun = runId
    this.snapshotEpochs = epochs
    if (epochs.length > 0) await this.showEpoch(epochs[epochs.length - 1])
  }

  /** Scrubs to one epoch of the run shown. */
  async showEpoch(epoch: number): Promise<void> {
    if (!this.snapshotRun) return
    try {
      this.snapshot = await this.#api.inside.read({ runId: this.snapshotRun, epoch })
    } catch (err) {
      this.error = errorInfo(err).message
    }
  }

  async #explain(source: InsideSource): Promise<void> {
    const options = {
      method: this.method,
      ...(this.target === null ? {} : { target: this.target })
    }
    try {
      if (source.kind === 'digit') {
        this.explanation = await this.#api.explain.digit({
          pixels: new Uint8Array(source.pixels),
          ...options
        })
      } else {
        const { result } = await this.#api.explain.image({
          file: { name: 'drawing.png', bytes: new Uint8Array(source.png) },
          ...options,
          ...(this.method === 'smoothgrad' ? { samples: LIVE_SAMPLES } : {})
        })
        if (!result.ok)
          throw Object.assign(new Error(result.error.message), { code: result.error.code })
        this.explanation = result.digits[0]?.explanation ?? null
      }
      this.error = null
      this.noModel = false
    } catch (err) {
      const info = errorInfo(err)
      this.noModel = info.code === 'NO_MODEL'
      // A drawing with no ink yet is not an error worth a red banner.
      this.error = info.code === 'IMAGE_INVALID' && source.kind === 'drawing' ? null : info.message
      if (source.kind === 'drawing') this.explanation = null
    }
  }
}

/** A snapshot layer as the activation grid draws it: channels ranked strongest first. */
export function snapshotLayer(layer: InsideSnapshot['layers'][number]): LayerActivation {
  const channels = layer.shape[layer.shape.length - 1]
  const sums = new Float64Array(channels)
  layer.data.forEach((v, i) => (sums[i % channels] += v))
  const order = Array.from(sums.keys()).sort((a, b) => sums[b] - sums[a] || a - b)
  return { ...layer, className: 'Conv2D', data: Float32Array.from(layer.data), order }
}
