/**
 * Early stopping with best-weight restore (Keras' EarlyStopping(restore_best_weights=True)):
 * watches the validation loss after each epoch, keeps a copy of the weights of the best epoch, and
 * says when `patience` epochs have gone by without an improvement larger than `minDelta`.
 */
import * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import type { EarlyStopping } from '#shared/protocol/run-options'

export class EarlyStopper {
  private bestLoss = Infinity
  private best: tf.Tensor[] | null = null
  /** 0 until an epoch has been seen. */
  bestEpoch = 0

  constructor(private readonly options: EarlyStopping) {}

  /**
   * Records epoch `epoch`'s validation loss; true when training should stop now. A non-finite loss
   * never counts as an improvement.
   */
  observe(model: tf.LayersModel, epoch: number, valLoss: number): boolean {
    if (Number.isFinite(valLoss) && valLoss < this.bestLoss - (this.options.minDelta ?? 0)) {
      this.bestLoss = valLoss
      this.bestEpoch = epoch
      // Copies, not references: the optimizer updates the model's variables in place.
      tf.dispose(this.best ?? [])
      this.best = model.getWeights().map((w) => w.clone())
      return false
    }
    return epoch - this.bestEpoch >= this.options.patience
  }

  /** Puts the best epoch's weights back (all of them, batch-norm statistics included). */
  restoreBest(model: tf.LayersModel): void {
    if (this.best) model.setWeights(this.best)
  }

  dispose(): void {
    tf.dispose(this.best ?? [])
    this.best = null
  }
}

/** Early stopping watches the validation loss: refuse a run that has no validation images. */
export function assertEarlyStoppingPossible(
  config: { earlyStopping?: EarlyStopping },
  validationCount: number
): void {
  if (config.earlyStopping && validationCount === 0) {
    throw new EngineError(
      'BAD_REQUEST',
      'earlyStopping: early stopping watches the validation loss, so it needs a validation split above 0'
    )
  }
}
