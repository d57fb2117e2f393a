/**
 * The Classify view's state: the files handed over (drop, picker, paste, drawing pad), the engine's
 * answer for each, which one is selected, the speck-size setting, and the CSV export. Files are sent
 * as bytes to the engine, which decodes them (never this renderer, never Electron's main process).
 */
import type { RendererApi } from '#shared/ipc-contract'
import {
  CLASSIFY_LIMITS,
  imageTooLargeMessage,
  DEFAULT_MIN_SPECK_AREA,
  type ClassifyFile,
  type FileResult
} from '#shared/protocol/classify'
import { errorInfo } from '../api'
import { resultsToCsv } from '../image/csv'

export type ClassifyApi = Pick<RendererApi, 'classify'>

/** Bytes per engine request: many large scans go in several requests, not one huge message. */
const REQUEST_BYTES = 32 * 1024 * 1024

export class ClassifyState {
  /** One result per file, in the order the files were given; replaced, never mutated. */
  results = $state.raw<FileResult[]>([])
  selected = $state(0)
  busy = $state(false)
  /** A failure of the whole request (no model, engine gone); per-file errors live in `results`. */
  error = $state<string | null>(null)
  noModel = $state(false)
  minSpeckArea = $state(DEFAULT_MIN_SPECK_AREA)
  /** Drop -> answer time of the last request, milliseconds. */
  lastMillis = $state<number | null>(null)

  #api: ClassifyApi
  #last: ClassifyFile[] = []

  constructor(api: ClassifyApi) {
    this.#api = api
  }

  get current(): FileResult | undefined {
    return this.results[this.selected]
  }

  /** Reads each file's bytes (refusing over-size files before reading) and classifies them all. */
  async classifyFiles(
    files: readonly File[],
    nameOf: (f: File, i: number) => string = (f) => f.name
  ): Promise<void> {
    if (files.length === 0) return
    const started = performance.now()
    const inputs: (ClassifyFile | FileResult)[] = await Promise.all(
      files.map(async (file, i): Promise<ClassifyFile | FileResult> => {
        const name = nameOf(file, i)
        if (file.size > CLASSIFY_LIMITS.maxBytes) {
          const message = imageTooLargeMessage(name, file.size)
          return {
            name,
            ok: false,
            error: { name: 'EngineError', code: 'IMAGE_TOO_LARGE', message }
          }
        }
        try {
          return { name, bytes: new Uint8Array(await file.arrayBuffer()) }
        } catch (err) {
          return {
            name,
            ok: false,
            error: {
              name: 'EngineError',
              code: 'FILE_UNREADABLE',
              message: `${name}: cannot read (${errorInfo(err).message})`
            }
          }
        }
      })
    )
    await this.#run(inputs, started)
  }

  /** The drawing pad's picture (a PNG from the canvas). */
  async classifyDrawing(png: Blob): Promise<void> {
    await this.classifyFiles([new File([png], 'drawing.png', { type: 'image/png' })])
  }

  /** Changes the speck size and classifies the same files again with it. */
  async setMinSpeckArea(value: number): Promise<void> {
    this.minSpeckArea = Math.max(0, Math.round(value))
    if (this.#last.length > 0) await this.#run(this.#last, performance.now())
  }

  select(index: number): void {
    if (index >= 0 && index < this.results.length) this.selected = index
  }

  /** CSV text of the current results. */
  csv(): string {
    return resultsToCsv(this.results)
  }

  async #run(inputs: (ClassifyFile | FileResult)[], started: number): Promise<void> {
    const files = inputs.filter((x): x is ClassifyFile => 'bytes' in x)
    this.#last = files
    this.busy = true
    this.error = null
    this.noModel = false
    try {
      const answers = new Map<ClassifyFile, FileResult>()
      for (const batch of batches(files)) {
        const r = await this.#api.classify.images({
          files: batch,
          options: { minSpeckArea: this.minSpeckArea }
        })
        batch.forEach((f, i) => answers.set(f, r.results[i]))
      }
      this.results = inputs.map((x) => ('bytes' in x ? answers.get(x)! : x))
      this.selected = 0
      this.lastMillis = performance.now() - started
    } catch (err) {
      const info = errorInfo(err)
      this.noModel = info.code === 'NO_MODEL'
      this.error = info.message
    } finally {
      this.busy = false
    }
  }
}

/** Splits files into requests of at most REQUEST_BYTES (a single larger file goes alone). */
function batches(files: ClassifyFile[]): ClassifyFile[][] {
  const out: ClassifyFile[][] = []
  let current: ClassifyFile[] = []
  let bytes = 0
  for (const f of files) {
    if (
      current.length > 0 &&
      (bytes + f.bytes.length > REQUEST_BYTES || current.length >= CLASSIFY_LIMITS.maxFiles)
    ) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(f)
    bytes += f.bytes.length
  }
  if (current.length > 0) out.push(current)
  return out
}
