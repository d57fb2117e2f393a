/**
 * What each strategy trains: the configurations (grid order or seeded draws) and, for successive
 * halving, the rungs. Successive halving (Jamieson & Talwalkar; one bracket of Hyperband, as in
 * KerasTuner and Optuna's SuccessiveHalvingPruner) trains every configuration on a small budget,
 * keeps the best third, trains those on three times the budget, and so on up to the full budget.
 */
import type { Space, StudySettings, TrialParams } from '#shared/protocol/studies'
import { gridPoints, randomPoints } from './space'

/** Default number of random trials when none is given. */
const DEFAULT_RANDOM_TRIALS = 10
/** Halving's reduction factor: a third of each rung goes on, with three times the budget. */
export const ETA = 3

/** The configurations the study tries, in trial order (trial N is `configs[N - 1]`). */
export function planConfigs(
  settings: Pick<StudySettings, 'space' | 'strategy' | 'trials' | 'seed'>,
  base: TrialParams
): TrialParams[] {
  const { space, strategy, trials, seed } = settings
  if (strategy === 'random')
    return randomPoints(space as Space, base, trials ?? DEFAULT_RANDOM_TRIALS, seed)
  // Halving over the grid when no count is given (so it can be compared with the grid itself).
  if (strategy === 'halving' && trials !== undefined)
    return randomPoints(space as Space, base, trials, seed)
  const grid = gridPoints(space as Space, base)
  return trials !== undefined ? grid.slice(0, trials) : grid
}

/** Rungs successive halving uses for `n` configurations: enough that the last keeps one or two. */
export function rungCount(strategy: StudySettings['strategy'], n: number): number {
  if (strategy !== 'halving' || n < ETA) return 1
  return Math.floor(Math.log(n) / Math.log(ETA) + 1e-9) + 1
}

/** How many of `n` finishers of a rung go on to the next. */
export function promotedCount(n: number): number {
  return Math.max(1, Math.floor(n / ETA))
}

/**
 * The budget of rung `rung` of `rungs` for a configuration with `epochs` epochs over `trainCount`
 * images: the fraction ETA^(rung - last) of its images. At least one epoch means fewer epochs;
 * less than one means one epoch over a part of the images.
 */
export function rungBudget(
  rung: number,
  rungs: number,
  epochs: number,
  trainCount: number
): { epochs: number; trainImages: number } {
  const share = epochs * ETA ** (rung - (rungs - 1))
  if (share >= 1) return { epochs: Math.round(share), trainImages: trainCount }
  return { epochs: 1, trainImages: Math.max(1, Math.round(share * trainCount)) }
}
