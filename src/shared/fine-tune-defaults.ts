/**
 * What a fine-tune (`train --from`, My digits' "Fine-tune current model") does unless told
 * otherwise: one epoch at a small rate, so the model learns the new digits without forgetting
 * MNIST. The rates are a quarter of each preset's starting rate at the time the fine-tune was
 * measured (README "Learn my handwriting"), kept apart from PRESET_DEFAULTS on purpose: retuning
 * how a preset trains from scratch (the seed preset's schedule changed in issue 11) must not move
 * what a fine-tune does.
 */
import type { PresetName } from './protocol/training'

const FINE_TUNE_EPOCHS = 1

const FINE_TUNE_LEARNING_RATE: Record<PresetName, number> = {
  seed: 2.5e-4,
  fast: 5e-4,
  accurate: 2.5e-4
}

/** The fine-tune defaults for a model of `preset`. */
export function fineTuneDefaults(preset: PresetName): { epochs: number; learningRate: number } {
  return { epochs: FINE_TUNE_EPOCHS, learningRate: FINE_TUNE_LEARNING_RATE[preset] }
}
