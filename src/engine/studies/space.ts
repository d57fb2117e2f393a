/**
 * The points of a search space: the grid (every combination, ranges cut into `steps` points) and
 * seeded random draws (the same seed always draws the same trials). Pure functions of the space.
 */
import { EngineError } from '#shared/errors'
import type { Space, TrialParams } from '#shared/protocol/studies'
import { createRng, deriveSeed } from '../random'

/** More points than this is a typo, not a study: refuse with the count. */
const MAX_GRID_POINTS = 1000
/** A range with no `steps` contributes its two ends and its middle to the grid. */
const DEFAULT_STEPS = 3

type Range = { min: number; max: number; steps?: number }
type Choice<T> = { values: T[] }

/** Dimensions in the order the grid varies them (the last one fastest). */
const DIMENSIONS = [
  'architecture',
  'widthMultiplier',
  'dropout',
  'augment',
  'epochs',
  'batchSize',
  'learningRateDecay',
  'learningRate'
] as const satisfies readonly (keyof Space)[]

/** Rounds to 4 significant digits, so trials read 0.0005 rather than 0.000500000001. */
const tidy = (x: number): number => Number(x.toPrecision(4))

function isRange(d: Range | Choice<unknown>): d is Range {
  return 'min' in d
}

/** The grid points of one dimension: its values, or `steps` points across its range. */
function gridValues(name: keyof Space, d: Range | Choice<unknown>): unknown[] {
  if (!isRange(d)) return d.values
  const steps = d.steps ?? DEFAULT_STEPS
  if (steps === 1 || d.min === d.max) return [tidy(d.min)]
  const log = name === 'learningRate'
  return Array.from({ length: steps }, (_, i) => {
    const t = i / (steps - 1)
    return tidy(
      log
        ? Math.exp(Math.log(d.min) + t * (Math.log(d.max) - Math.log(d.min)))
        : d.min + t * (d.max - d.min)
    )
  })
}

/** How many points the grid of `space` has. */
export function gridSize(space: Space): number {
  return DIMENSIONS.reduce((n, name) => {
    const d = space[name]
    return d ? n * gridValues(name, d as Range).length : n
  }, 1)
}

/** Every combination of the space, over `base` for the dimensions it leaves out. */
export function gridPoints(space: Space, base: TrialParams): TrialParams[] {
  const size = gridSize(space)
  if (size > MAX_GRID_POINTS) {
    throw new EngineError(
      'BAD_REQUEST',
      `space: its grid has ${size} points, at most ${MAX_GRID_POINTS}: give fewer values or steps, or a number of trials with the random strategy`
    )
  }
  let points: TrialParams[] = [{ ...base }]
  for (const name of DIMENSIONS) {
    const d = space[name]
    if (!d) continue
    const options = gridValues(name, d as Range)
    points = points.flatMap((p) => options.map((value) => ({ ...p, [name]: value })))
  }
  return points
}

/** `count` seeded random points: a range draws uniformly (the learning rate log-uniformly). */
export function randomPoints(
  space: Space,
  base: TrialParams,
  count: number,
  seed: number
): TrialParams[] {
  return Array.from({ length: count }, (_, i) => {
    const rng = createRng(deriveSeed(seed, 0x57d1, i))
    const point: TrialParams = { ...base }
    for (const name of DIMENSIONS) {
      const d = space[name] as Range | Choice<unknown> | undefined
      if (!d) continue
      let value: unknown
      if (!isRange(d)) value = d.values[Math.floor(rng() * d.values.length)]
      else if (name === 'learningRate')
        value = tidy(Math.exp(Math.log(d.min) + rng() * (Math.log(d.max) - Math.log(d.min))))
      else value = tidy(d.min + rng() * (d.max - d.min))
      ;(point as unknown as Record<string, unknown>)[name] = value
    }
    return point
  })
}
