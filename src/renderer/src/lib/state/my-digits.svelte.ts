/**
 * My digits for the renderer: the kept digits (with their 28x28 inputs, for the view's tiles),
 * counts per label and the few-examples warning, delete, relabel, export as IDX, adding a digit
 * read in Classify, and the before/after of the last fine-tune on them. The list is `$state.raw`
 * and replaced on every `digits:changed`, never mutated.
 */
import type { RendererApi } from '#shared/ipc-contract'
import type { Box } from '#shared/protocol/classify'
import type { DigitsList } from '#shared/protocol/digits'
import type { DoneEvent } from '#shared/protocol/training-events'
import { errorInfo } from '../api'

type DigitsApi = Pick<RendererApi, 'digits' | 'dialog'>

/** What a fine-tune reported, side by side (the done event's before/after fields). */
type FineTuneReport = Pick<
  DoneEvent,
  | 'runId'
  | 'testAccuracy'
  | 'testAccuracyBefore'
  | 'heldOutAccuracyBefore'
  | 'heldOutAccuracyAfter'
  | 'heldOutCount'
  | 'addedImages'
  | 'skippedImages'
>

export class MyDigitsState {
  list = $state.raw<DigitsList | null>(null)
  error = $state<string | null>(null)
  /** What the last action did, in words (added, exported...). */
  message = $state<string | null>(null)
  busy = $state(false)
  lastFineTune = $state.raw<FineTuneReport | null>(null)

  #api: DigitsApi

  constructor(api: DigitsApi) {
    this.#api = api
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.#api.digits.list({ withImages: true })
      this.error = null
    } catch (err) {
      this.error = errorInfo(err).message
    }
  }

  async #act(run: () => Promise<string>): Promise<void> {
    this.busy = true
    try {
      this.message = await run()
      this.error = null
    } catch (err) {
      this.error = errorInfo(err).message
    } finally {
      this.busy = false
    }
  }

  /** Keeps the digit at `box` of a classified file under `label` (its bytes go to the engine). */
  addFromFile(file: File, name: string, label: number, box: Box, page: number): Promise<void> {
    return this.#act(async () => {
      const bytes = new Uint8Array(await file.arrayBuffer())
      await this.#api.digits.add({ label, file: { name, bytes }, box, page })
      return `Added a ${label} from ${name} to My digits`
    })
  }

  delete(name: string): Promise<void> {
    return this.#act(async () => {
      await this.#api.digits.delete({ names: [name] })
      return `Deleted ${name}`
    })
  }

  relabel(name: string, label: number): Promise<void> {
    return this.#act(async () => {
      await this.#api.digits.relabel({ name, label })
      return `${name} is now a ${label}`
    })
  }

  /** Asks for a folder, then writes the IDX pair there. */
  exportIdx(): Promise<void> {
    return this.#act(async () => {
      const { path } = await this.#api.dialog.openFolder({ title: 'Export My digits as IDX into' })
      if (!path) return 'Export cancelled'
      const r = await this.#api.digits.export({ out: path })
      return `Exported ${r.count} digits to ${r.images} and ${r.labels}`
    })
  }

  /** Keeps a finished run's before/after when it trained with added images. */
  noteDone(done: DoneEvent): void {
    if (done.addedImages === undefined) return
    const { runId, testAccuracy, testAccuracyBefore, heldOutAccuracyBefore } = done
    const { heldOutAccuracyAfter, heldOutCount, addedImages, skippedImages } = done
    this.lastFineTune = {
      runId,
      testAccuracy,
      testAccuracyBefore,
      heldOutAccuracyBefore,
      heldOutAccuracyAfter,
      heldOutCount,
      addedImages,
      skippedImages
    }
  }
}
