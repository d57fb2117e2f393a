import * as v from 'valibot'
import type { SerializedError } from '../errors'
import type { ModelSource } from './models'

// Classify area (issue "Classify your own handwriting"): the user's own images go in as bytes,
// digits come out with the pictures of every preprocessing step, so the UI can show what the
// model saw. Decoding happens in the engine process for every host (app, CLI, tests).

/** Caps checked before any decoding (RELIABILITY I1): bytes of one file, pixels of one page. */
export const CLASSIFY_LIMITS = {
  maxBytes: 50 * 1024 * 1024,
  /** Bytes of all files in one request (RELIABILITY R7): hosts send large sets in several. */
  maxRequestBytes: 64 * 1024 * 1024,
  maxPixels: 50_000_000,
  maxFiles: 500,
  maxPages: 50
} as const

/**
 * The one wording of "this file is over the byte cap", whoever notices first: the renderer and the
 * CLI before reading the file, the engine before parsing it.
 */
export function imageTooLargeMessage(
  name: string,
  bytes: number,
  maxBytes: number = CLASSIFY_LIMITS.maxBytes
): string {
  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`
  return `${name}: ${mb(bytes)} is over the ${mb(maxBytes)} limit for one image`
}

/**
 * Ink components smaller than this many pixels (in the image's own resolution) are noise specks.
 * 30 px is a dot of ~6x6: bigger than scanner dust, far smaller than any digit at 150 dpi or more.
 */
export const DEFAULT_MIN_SPECK_AREA = 30
/** Below this top-1 probability a digit is flagged "low confidence" in the UI, CSV and JSON. */
export const LOW_CONFIDENCE_THRESHOLD = 0.7

export const ClassifyOptionsSchema = v.object({
  minSpeckArea: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000))),
  /** A TF.js layers folder (model.json + weights.bin); default: the last model training saved. */
  modelDir: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** Send back the step pictures (thumbnail, mask, 28x28); the CLI turns them off. Default true. */
  pictures: v.optional(v.boolean())
})
type ClassifyOptions = v.InferOutput<typeof ClassifyOptionsSchema>

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)

/** One file; over `maxBytes` is refused by the schema itself, naming the file (RELIABILITY R7). */
export const ClassifyFileSchema = v.pipe(
  v.object({
    name: v.pipe(v.string(), v.maxLength(4096)),
    bytes: v.instance(Uint8Array)
  }),
  v.check(
    (f) => f.bytes.byteLength <= CLASSIFY_LIMITS.maxBytes,
    (issue) => {
      const f = issue.input as { name: string; bytes: Uint8Array }
      return imageTooLargeMessage(f.name, f.bytes.byteLength)
    }
  )
)
/** One file's bytes as read by the host (renderer `file.arrayBuffer()`, CLI `readFile`). */
export interface ClassifyFile {
  /** Shown in every message about the file: the path (CLI) or the file's name (app). */
  name: string
  bytes: Uint8Array
}

const totalBytes = (files: { bytes: Uint8Array }[]): number =>
  files.reduce((n, f) => n + f.bytes.byteLength, 0)

const ClassifyImagesParamsSchema = v.object({
  files: v.pipe(
    v.array(ClassifyFileSchema),
    v.minLength(1),
    v.maxLength(CLASSIFY_LIMITS.maxFiles),
    v.check(
      (files) => totalBytes(files) <= CLASSIFY_LIMITS.maxRequestBytes,
      (issue) =>
        `${mb(totalBytes(issue.input as { bytes: Uint8Array }[]))} MB of images in one request is over the ${mb(CLASSIFY_LIMITS.maxRequestBytes)} MB limit: send them in several requests`
    )
  ),
  options: v.optional(ClassifyOptionsSchema)
})
export interface ClassifyImagesParams {
  files: ClassifyFile[]
  options?: ClassifyOptions
}

/** A small picture as raw bytes: 1 channel (gray) or 4 (RGBA), row-major. */
export interface Picture {
  width: number
  height: number
  channels: 1 | 4
  data: Uint8Array
}

/** [x, y, width, height] in the page's own pixels (after EXIF orientation). */
export type Box = [number, number, number, number]

export interface DigitPrediction {
  label: number
  confidence: number
  /** The three most likely digits, most likely first. */
  top3: { label: number; probability: number }[]
  lowConfidence: boolean
  box: Box
  /**
   * 0-based line of the page the digit was read on: digits are grouped into lines the way a reader
   * does (chains of vertical overlap, so a wandering baseline stays one line), top to bottom, and
   * `predictions` are in reading order, line by line, each left to right.
   */
  line: number
  /** The piece's ink mask as cut from the page (white ink on black), at most 64 px a side. */
  mask?: Picture
  /** Exactly what the model saw: 28x28 gray, MNIST polarity. */
  input?: Picture
}

export interface PageResult {
  /** 0-based page (TIFF and PDF pages; 0 for every other format). Shown to users 1-based. */
  page: number
  width: number
  height: number
  digits: string
  predictions: DigitPrediction[]
  /** The page as decoded (alpha on white), scaled down to at most 480 px a side. */
  thumbnail?: Picture
  /** The page's ink mask after background removal and speck removal, same size as the thumbnail. */
  mask?: Picture
  /** Whether the page was inverted (dark ink on light paper, the usual case for scans). */
  inverted: boolean
  threshold: number
}

export type FileResult =
  | { name: string; ok: true; format: string; digits: string; pages: PageResult[]; millis: number }
  | { name: string; ok: false; error: SerializedError }

export interface ClassifyImagesResult {
  /** The model folder used. */
  modelDir: string
  /** Which model that is: the user's (trained or imported), the starter, or a folder the request named. */
  modelSource: ModelSource | 'folder'
  results: FileResult[]
  millis: number
}

export const classifyParamSchemas = {
  'classify:images': ClassifyImagesParamsSchema
} as const

export interface ClassifyMethods {
  /**
   * Decodes, segments and classifies each file. A bad file yields a per-file error and never stops
   * the others; only a missing or broken model fails the whole request (NO_MODEL, MODEL_INVALID).
   */
  'classify:images': { params: ClassifyImagesParams; result: ClassifyImagesResult }
}

export type ClassifyEvent = never
