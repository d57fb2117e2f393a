/**
 * The dataset the next run trains on: the embedded MNIST copy or a folder of IDX files the user
 * picked, with its counts and a few sample images per class for the strip.
 */
import type { RendererApi } from '#shared/ipc-contract'
import { errorInfo } from '../api'
import type { DatasetInfo, DatasetSource } from '#shared/protocol/training'

type DatasetApi = Pick<RendererApi, 'dataset' | 'dialog'>

/** Enough to see the variety of handwriting in a class without slowing the first paint. */
const SAMPLES_PER_CLASS = 8

export class DatasetState {
  source = $state.raw<DatasetSource>({ kind: 'embedded' })
  info = $state.raw<DatasetInfo | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)

  #api: DatasetApi
  #request = 0

  constructor(api: DatasetApi) {
    this.#api = api
  }

  /** Describes the current source (counts and samples); a failure keeps the previous source usable. */
  async load(source: DatasetSource = this.source): Promise<boolean> {
    const request = ++this.#request
    this.loading = true
    this.error = null
    try {
      const info = await this.#api.dataset.describe({ source, samplesPerClass: SAMPLES_PER_CLASS })
      if (request !== this.#request) return false
      this.source = source
      this.info = info
      return true
    } catch (err) {
      if (request === this.#request) this.error = errorInfo(err).message
      return false
    } finally {
      if (request === this.#request) this.loading = false
    }
  }

  /** Opens the native folder dialog and switches to that folder if it holds a valid dataset. */
  async pickFolder(): Promise<void> {
    const { path } = await this.#api.dialog.openFolder({
      title: 'Choose a dataset folder: MNIST IDX files, or images in folders named 0-9'
    })
    if (path) await this.load({ kind: 'folder', path })
  }

  async useEmbedded(): Promise<void> {
    await this.load({ kind: 'embedded' })
  }
}
