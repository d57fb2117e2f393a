import { readFile, stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EngineError, serializeError, type SerializedError } from '#shared/errors'
import {
  CLASSIFY_LIMITS,
  imageTooLargeMessage,
  DEFAULT_MIN_SPECK_AREA,
  type ClassifyFile,
  type FileResult
} from '#shared/protocol/classify'
import type { ModelSource } from '#shared/protocol/models'
import { backendEnv, withEngine } from '../engine-session'
import { describeModelInUse } from './info'

export const CLASSIFY_USAGE =
  'digit-studio classify FILE... [--model DIR] [--json] [--min-speck N] [--backend native|wasm|cpu]'

/** Files are sent to the engine in batches of at most this many bytes, so memory stays bounded. */
const BATCH_BYTES = CLASSIFY_LIMITS.maxRequestBytes

/**
 * One output line of `--json`: the shape the issue specifies, plus `page` (1-based, as the app and
 * PDF readers number pages) on every prediction of a paged file (PDF, TIFF).
 */
export type ClassifyJsonLine =
  | {
      file: string
      digits: string
      /** The model that read it: `starter` is the one shipped with the app (no run trained yet). */
      model: { source: ModelSource | 'folder'; dir: string }
      predictions: {
        label: number
        confidence: number
        box: number[]
        lowConfidence: boolean
        /** 1-based line of the page the digit was read on (digits run line by line). */
        line: number
        page?: number
      }[]
    }
  | { file: string; error: SerializedError }

type UsedModel = Extract<ClassifyJsonLine, { digits: string }>['model']

/** Turns an engine result into the `--json` line for that file. */
function toJsonLine(file: string, result: FileResult, model: UsedModel): ClassifyJsonLine {
  if (!result.ok) return { file, error: result.error }
  const paged = result.format === 'pdf' || result.format === 'tiff' || result.pages.length > 1
  return {
    file,
    digits: result.digits,
    model,
    predictions: result.pages.flatMap((p) =>
      p.predictions.map((d) => ({
        label: d.label,
        confidence: Math.round(d.confidence * 1e4) / 1e4,
        box: d.box,
        lowConfidence: d.lowConfidence,
        line: d.line + 1,
        ...(paged ? { page: p.page + 1 } : {})
      }))
    )
  }
}

/** Human output: `file: 31415` then each digit with its confidence, low ones marked with `?`. */
function formatResult(file: string, result: FileResult): string {
  if (!result.ok) return `${file}: error ${result.error.code}: ${result.error.message}`
  const digits = result.pages
    .flatMap((p) => p.predictions)
    .map((d) => `${d.label}${d.lowConfidence ? '?' : ''} ${(d.confidence * 100).toFixed(0)}%`)
    .join(', ')
  return `${file}: ${result.digits}  (${digits})`
}

/** Reads one file for the engine, or says why it can't: unreadable, or over the byte cap (not read at all). */
export async function readInput(
  path: string
): Promise<ClassifyFile | { name: string; error: SerializedError }> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new EngineError('FILE_UNREADABLE', `${path}: not a file`)
    if (info.size > CLASSIFY_LIMITS.maxBytes)
      throw new EngineError('IMAGE_TOO_LARGE', imageTooLargeMessage(path, info.size))
    return { name: path, bytes: new Uint8Array(await readFile(path)) }
  } catch (err) {
    if (err instanceof EngineError) return { name: path, error: serializeError(err) }
    const code = (err as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : (err as Error).message
    return {
      name: path,
      error: {
        name: 'EngineError',
        code: 'FILE_UNREADABLE',
        message: `${path}: cannot read (${why})`
      }
    }
  }
}

/**
 * `digit-studio classify FILE...`: reads each file, has the engine decode, segment and classify it
 * with the given model (else the last trained one), prints one line per file. Exit code 1 when any
 * file failed; a bad file never stops the others.
 */
export async function runClassify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
      'min-speck': { type: 'string' },
      backend: { type: 'string' }
    }
  })
  if (positionals.length === 0)
    throw new EngineError('BAD_REQUEST', `no files given\nUsage: ${CLASSIFY_USAGE}`)
  const minSpeckArea =
    values['min-speck'] === undefined ? DEFAULT_MIN_SPECK_AREA : Number(values['min-speck'])
  if (!Number.isInteger(minSpeckArea) || minSpeckArea < 0)
    throw new EngineError(
      'BAD_REQUEST',
      `--min-speck must be a whole number of pixels, got "${values['min-speck']}"`
    )
  const modelDir = values.model ? resolve(values.model) : undefined
  let failed = 0
  // Which model read the files: the first engine answer says (a local read error needs none).
  let model: UsedModel = { source: 'folder', dir: modelDir ?? '' }
  const print = (file: string, result: FileResult): void => {
    if (!result.ok) failed++
    process.stdout.write(
      (values.json ? JSON.stringify(toJsonLine(file, result, model)) : formatResult(file, result)) +
        '\n'
    )
  }
  await withEngine(backendEnv(values.backend), async (engine) => {
    if (!values.json) {
      const info = await engine.request('engine:info', {})
      process.stderr.write(`Backend: ${info.backend} (${info.backendReason})\n`)
      // Without --model, say whose model reads the files (the starter until a run has finished).
      if (!modelDir) process.stderr.write(`Model:   ${describeModelInUse(info.model)}\n`)
    }
    // Files are read batch by batch, so 500 scans never sit in memory at once.
    let batch: ClassifyFile[] = []
    let bytes = 0
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      const reply = await engine.request('classify:images', {
        files: batch,
        options: { minSpeckArea, modelDir, pictures: false }
      })
      model = { source: reply.modelSource, dir: reply.modelDir }
      reply.results.forEach((r, i) => print(batch[i].name, r))
      batch = []
      bytes = 0
    }
    for (const path of positionals) {
      const input = await readInput(path)
      if ('error' in input) {
        await flush()
        print(path, { name: basename(path), ok: false, error: input.error })
        continue
      }
      if (bytes + input.bytes.length > BATCH_BYTES || batch.length >= CLASSIFY_LIMITS.maxFiles)
        await flush()
      batch.push(input)
      bytes += input.bytes.length
    }
    await flush()
  })
  return failed > 0 ? 1 : 0
}
