/**
 * The Classify view's state: the files handed over (drop, picker, paste, drawing pad), the engine's
 * answer for each, which one is selected, the speck-size setting, and the CSV export. Files are sent
 * as bytes to the engine, which decodes them (never this renderer, never Electron's main process).
 */
import type { ErrorCode } from '#shared/errors'
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

/**
 * Bytes per engine request: many large scans go in several requests, not one huge message, and
 * within the schema's cap (`maxRequestBytes`) even with one maximum-size file.
 */
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
  #last: Input[] = []

  constructor(api: ClassifyApi) {
    this.#api = api
  }

  get current(): FileResult | undefined {
    return this.results[this.selected]
  }

  /**
   * Classifies the files given. Over-size files are refused before reading; the others are read
   * one at a time, batch by batch, each batch sent before the next is read, so memory holds at
   * most one request's worth of images however many files were dropped (RELIABILITY R7).
   */
  async classifyFiles(
    files: readonly File[],
    nameOf: (f: File, i: number) => string = (f) => f.name
  ): Promise<void> {
    if (files.length === 0) return
    const started = performance.now()
    const inputs = files.map((file, i): Input => {
      const name = nameOf(file, i)
      if (file.size <= CLASSIFY_LIMITS.maxBytes) return { name, file }
      return failed(name, 'IMAGE_TOO_LARGE', imageTooLargeMessage(name, file.size))
    })
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

  /** The file behind each result, same order (My digits cuts a digit from it); reactive. */
  files = $state.raw<(File | undefined)[]>([])

  /** The file behind result `index`; none for a file refused before reading. */
  fileAt(index: number): File | undefined {
    return this.files[index]
  }

  /** CSV text of the current results. */
  csv(): string {
    return resultsToCsv(this.results)
  }

  async #run(inputs: Input[], started: number): Promise<void> {
    // Files, not their bytes, are kept for a re-run with another speck size.
    this.#last = inputs
    this.busy = true
    this.error = null
    this.noModel = false
    try {
      const answers = new Map<Input, FileResult>()
      for (const batch of batches(inputs.filter((x): x is Dropped => 'file' in x))) {
        const read: { input: Dropped; file: ClassifyFile }[] = []
        for (const input of batch) {
          const bytes = await readBytes(input)
          if (bytes instanceof Uint8Array) read.push({ input, file: { name: input.name, bytes } })
          else answers.set(input, bytes)
        }
        if (read.length === 0) continue
        const r = await this.#api.classify.images({
          files: read.map((x) => x.file),
          options: { minSpeckArea: this.minSpeckArea }
        })
        read.forEach((x, i) => answers.set(x.input, r.results[i]))
      }
      this.results = inputs.map((x) => ('file' in x ? answers.get(x)! : x))
      this.files = inputs.map((x) => ('file' in x ? x.file : undefined))
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

/** A file waiting to be read, with the name shown for it. */
type Dropped = { name: string; file: File }
/** A file to classify, or the answer already known for it (refused before reading). */
type Input = Dropped | FileResult

function failed(name: string, code: ErrorCode, message: string): FileResult {
  return { name, ok: false, error: { name: 'EngineError', code, message } }
}

/** One file's bytes, or its FILE_UNREADABLE answer. */
async function readBytes(input: Dropped): Promise<Uint8Array | FileResult> {
  try {
    return new Uint8Array(await input.file.arrayBuffer())
  } catch (err) {
    const message = `${input.name}: cannot read (${errorInfo(err).message})`
    return failed(input.name, 'FILE_UNREADABLE', message)
  }
}

/** Splits files into requests of at most REQUEST_BYTES by size (a single larger file goes alone). */
function batches(files: Dropped[]): Dropped[][] {
  const out: Dropped[][] = []
  let current: Dropped[] = []
  let bytes = 0
  for (const f of files) {
    if (
      current.length > 0 &&
      (bytes + f.file.size > REQUEST_BYTES || current.length >= CLASSIFY_LIMITS.maxFiles)
    ) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(f)
    bytes += f.file.size
  }
  if (current.length > 0) out.push(current)
  return out
}
