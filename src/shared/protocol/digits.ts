import * as v from 'valibot'
import { ClassifyFileSchema, type Box } from './classify'

// My digits (issue 16): the user's own digits, kept in the data home as a labelled folder.

/** A label with fewer kept digits than this gets a warning: a fine-tune learns little from it. */
export const FEW_EXAMPLES = 5

/** Names of kept digits: `<date>-<time>-<hex>.png`, never a path. */
const DigitNameSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]+\.png$/, 'a kept digit name is letters, digits, "-" or "_" then .png')
)
const LabelSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))

const DigitsAddSchema = v.object({
  label: LabelSchema,
  file: ClassifyFileSchema,
  box: v.optional(v.tuple([v.number(), v.number(), v.number(), v.number()])),
  page: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)))
})

export interface DigitsAddParams {
  label: number
  /** The image the digit comes from, as the user gave it (Classify's file, or `digits add FILE`). */
  file: { name: string; bytes: Uint8Array }
  /** Which digit of the file (Classify's box for it, in page pixels); absent: the file must hold one. */
  box?: Box
  /** Page of a multi-page file the box is on (0-based). */
  page?: number
}

export interface LabelChange {
  label: number
  /** ISO 8601. */
  date: string
}

export interface MyDigit {
  /** File name inside its label folder: `<label>/<name>`. */
  name: string
  label: number
  /** The file it was cut from. */
  source: string
  /** ISO 8601. */
  added: string
  /** Every label it had, oldest first (the last is the current one). */
  history: LabelChange[]
  /** 28x28 model input bytes (MNIST polarity), when asked for. */
  input?: Uint8Array
}

export interface DigitsList {
  /** `<dataHome>/my-digits`: a labelled folder any tool can read. */
  dir: string
  total: number
  /** Kept digits per label 0-9. */
  counts: number[]
  /** Labels with fewer than FEW_EXAMPLES digits (when any digit is kept at all). */
  fewExamples: number[]
  items: MyDigit[]
}

export interface DigitsExportResult {
  images: string
  labels: string
  count: number
}

const PathSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4096))

export const digitsParamSchemas = {
  'digits:list': v.optional(v.object({ withImages: v.optional(v.boolean()) }), {}),
  'digits:add': DigitsAddSchema,
  'digits:delete': v.object({ names: v.pipe(v.array(DigitNameSchema), v.minLength(1)) }),
  'digits:relabel': v.object({ name: DigitNameSchema, label: LabelSchema }),
  'digits:export': v.object({ out: PathSchema })
} as const

export interface DigitsMethods {
  'digits:list': { params: { withImages?: boolean }; result: DigitsList }
  /** Cuts the digit out of the file through Classify's preprocessing and keeps it. */
  'digits:add': { params: DigitsAddParams; result: MyDigit }
  'digits:delete': { params: { names: string[] }; result: { deleted: number } }
  'digits:relabel': { params: { name: string; label: number }; result: MyDigit }
  /** One pair of MNIST IDX files (model inputs, labels) in `out`, written atomically. */
  'digits:export': { params: { out: string }; result: DigitsExportResult }
}

/** Emitted after every change to My digits, so views showing them reload. */
export interface DigitsChangedEvent {
  type: 'digits:changed'
}
