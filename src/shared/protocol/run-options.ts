/**
 * Options every run may carry beyond a preset's settings (issue 14, studies): early stopping, and
 * the two knobs a hyperparameter study turns on a preset's layers (filter width, dropout rate).
 * Kept apart from training.ts so the training contract only grows by three optional fields.
 */
import * as v from 'valibot'

/**
 * Stop when the validation loss has not improved by more than `minDelta` for `patience` epochs, and
 * keep the best epoch's weights (as Keras' EarlyStopping with restore_best_weights=True).
 */
export const EarlyStoppingSchema = v.object({
  patience: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50)),
  minDelta: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)))
})
export type EarlyStopping = v.InferOutput<typeof EarlyStoppingSchema>

/** Scales every convolution's filters and every hidden dense layer's units (at least 1 each). */
export const WidthMultiplierSchema = v.pipe(v.number(), v.minValue(0.25), v.maxValue(4))

/**
 * The rate of every dropout layer; a preset without dropout gets one before its classifier.
 * Undefined keeps the preset's own rates.
 */
export const DropoutSchema = v.pipe(v.number(), v.minValue(0), v.maxValue(0.9))
