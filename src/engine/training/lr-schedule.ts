import type { TrainConfig } from '#shared/protocol/training'

/** The rate epoch `epoch` (1-based) trains at: step decay by `learningRateDecay` per epoch. */
export function epochLearningRate(
  config: Pick<TrainConfig, 'learningRate' | 'learningRateDecay'>,
  epoch: number
): number {
  return config.learningRate * (config.learningRateDecay ?? 1) ** (epoch - 1)
}
