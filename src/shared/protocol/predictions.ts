/**
 * The gallery's pages of predictions (`predictions:page`): the MNIST test set, My digits or a
 * dataset folder, filtered and sorted, one page at a time for the virtual scroller.
 */
import * as v from 'valibot'
import { GallerySourceSchema } from './gallery'

export type PredictionFilter =
  | { kind: 'all' }
  | { kind: 'misclassified' }
  | { kind: 'true'; label: number }
  | { kind: 'predicted'; label: number }
  | { kind: 'pair'; trueLabel: number; predicted: number }

export const PredictionsPageParamsSchema = v.object({
  offset: v.pipe(v.number(), v.integer(), v.minValue(0)),
  limit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2000)),
  filter: v.optional(
    v.variant('kind', [
      v.object({ kind: v.literal('all') }),
      v.object({ kind: v.literal('misclassified') }),
      v.object({
        kind: v.literal('true'),
        label: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))
      }),
      v.object({
        kind: v.literal('predicted'),
        label: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))
      }),
      v.object({
        kind: v.literal('pair'),
        trueLabel: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9)),
        predicted: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))
      })
    ])
  ),
  /** 'index' (test-set order) or 'confidence' (least sure first). */
  sort: v.optional(v.picklist(['index', 'confidence'])),
  /** What to page through; the MNIST test set when absent (protocol/gallery.ts). */
  source: v.optional(GallerySourceSchema)
})
export type PredictionsPageParams = v.InferOutput<typeof PredictionsPageParamsSchema>

export interface TestPrediction {
  /** Index in the test set (or in the gallery source's own order). */
  index: number
  /** The image's file for a source other than MNIST: `<label>/<file>`. */
  name?: string
  /** 784 grayscale bytes, MNIST polarity (white ink on black). */
  image: Uint8Array
  trueLabel: number
  predicted: number
  confidence: number
  probabilities: number[]
}
export interface PredictionsPage {
  /** How many predictions match the filter in total (for the virtual scroller). */
  total: number
  offset: number
  items: TestPrediction[]
}
