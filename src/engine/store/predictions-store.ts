/**
 * The test-set predictions of the current model, computed once after a run and served to the
 * gallery in pages: filtered (misclassified, a true digit, a predicted digit, a pair) and sorted
 * by index or by confidence, least sure first.
 */
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS, NUM_CLASSES } from '#shared/mnist'
import type {
  PredictionFilter,
  PredictionsPage,
  PredictionsPageParams
} from '#shared/protocol/predictions'

export interface PredictionSet {
  /** Original test bytes, 784 per image. */
  images: Uint8Array
  labels: Uint8Array
  probabilities: Float32Array
  predicted: Uint8Array
  confidence: Float32Array
  /** Each image's file (`<label>/<file>`), for sources other than the MNIST test set. */
  names?: string[]
}

let current: PredictionSet | null = null

/** Replaces the predictions the gallery serves (called after each completed run). */
export function setPredictions(set: PredictionSet | null): void {
  current = set
}

function matches(filter: PredictionFilter, trueLabel: number, predicted: number): boolean {
  switch (filter.kind) {
    case 'all':
      return true
    case 'misclassified':
      return trueLabel !== predicted
    case 'true':
      return trueLabel === filter.label
    case 'predicted':
      return predicted === filter.label
    case 'pair':
      return trueLabel === filter.trueLabel && predicted === filter.predicted
  }
}

/** One page of predictions; NO_MODEL until a run has finished in this engine. */
export function predictionsPage(
  params: PredictionsPageParams,
  set: PredictionSet | null = current
): PredictionsPage {
  if (!set)
    throw new EngineError('NO_MODEL', 'no test-set predictions yet: finish a training run first')
  const filter = params.filter ?? { kind: 'all' }
  const hits: number[] = []
  for (let i = 0; i < set.labels.length; i++)
    if (matches(filter, set.labels[i], set.predicted[i])) hits.push(i)
  // Stable sort, so equal confidences keep test-set order.
  if (params.sort === 'confidence')
    hits.sort((a, b) => set.confidence[a] - set.confidence[b] || a - b)
  const items = hits.slice(params.offset, params.offset + params.limit).map((index) => ({
    index,
    image: set.images.slice(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS),
    ...(set.names && { name: set.names[index] }),
    trueLabel: set.labels[index],
    predicted: set.predicted[index],
    confidence: set.confidence[index],
    probabilities: Array.from(
      set.probabilities.subarray(index * NUM_CLASSES, (index + 1) * NUM_CLASSES)
    )
  }))
  return { total: hits.length, offset: params.offset, items }
}
