/**
 * The metrics adapter between engine events and the charts (RELIABILITY T3).
 *
 * Metrics cross IPC as plain numbers, and JSON (the CLI, the test bridge) turns NaN and Infinity
 * into `null`. A chart that plotted those as 0 would show a diverging run as a perfect one, so every
 * value goes through `sanitizeMetric`: finite numbers pass, anything else becomes a gap (`y: null`,
 * which Chart.js leaves unconnected) plus a `MetricGap` naming the value, so the chart can mark it.
 *
 * Everything here is pure and immutable: each append returns new arrays, which is what
 * `$state.raw` in the training state wants (replace, don't push).
 */
import type { BatchEvent, EpochEvent } from '#shared/protocol/training-events'

/** One chart point; `y: null` is a gap (a non-finite value), never drawn as 0. */
export interface SeriesPoint {
  x: number
  y: number | null
}

export type MetricName = 'loss' | 'accuracy'

/** A non-finite value the chart shows as a marked gap, with the reason in words. */
interface MetricGap {
  x: number
  metric: MetricName
  /** e.g. "loss was NaN at epoch 2, batch 14" */
  message: string
}

/** What `sanitizeMetric` made of one raw value. */
interface SanitizedValue {
  value: number | null
  /** The value's name when it is not a finite number: 'NaN', 'Infinity', 'null', ... */
  problem: string | null
}

/**
 * Passes finite numbers, turns everything else into a gap with its name. JSON's `null` is
 * reported as "NaN or Infinity" because that is what it was before serialisation.
 */
export function sanitizeMetric(raw: unknown): SanitizedValue {
  if (typeof raw === 'number') {
    return Number.isFinite(raw)
      ? { value: raw, problem: null }
      : { value: null, problem: String(raw) }
  }
  if (raw === null) return { value: null, problem: 'NaN or Infinity (sent as null)' }
  if (raw === undefined) return { value: null, problem: 'missing' }
  return { value: null, problem: `not a number (${typeof raw})` }
}

/**
 * Exponential moving average with TensorBoard's debiasing, so the first points aren't pulled
 * towards 0. Gaps stay gaps and don't disturb the average.
 */
interface EmaState {
  last: number
  steps: number
}
const SMOOTHING = 0.8

/** One EMA step: returns the smoothed value (null for a gap) and the next state. */
export function emaStep(
  state: EmaState,
  y: number | null,
  weight = SMOOTHING
): [number | null, EmaState] {
  if (y === null) return [null, state]
  const last = state.last * weight + (1 - weight) * y
  const steps = state.steps + 1
  const debiased = last / (1 - Math.pow(weight, steps))
  return [debiased, { last, steps }]
}

/**
 * Position of a batch on the x axis, in epochs. Both numbers are 1-based as the engine sends them
 * (`batch` = batches finished in epoch `epoch`), so batch `b` sits at `epoch - 1 + b / batchesPerEpoch`
 * and the last batch of epoch `e` lands on `x = e`, where the epoch point is drawn.
 */
export function batchX(epoch: number, batch: number, batchesPerEpoch: number): number {
  const per = Math.max(1, batchesPerEpoch)
  return epoch - 1 + Math.min(Math.max(batch, 0), per) / per
}

/** Everything both charts draw, as plain data. */
export interface MetricSeries {
  batchLoss: SeriesPoint[]
  batchLossSmooth: SeriesPoint[]
  batchAccuracy: SeriesPoint[]
  batchAccuracySmooth: SeriesPoint[]
  epochLoss: SeriesPoint[]
  epochValLoss: SeriesPoint[]
  epochAccuracy: SeriesPoint[]
  epochValAccuracy: SeriesPoint[]
  gaps: MetricGap[]
  lossEma: EmaState
  accuracyEma: EmaState
}

/** The series of a run that has not produced anything yet. */
export function emptySeries(): MetricSeries {
  return {
    batchLoss: [],
    batchLossSmooth: [],
    batchAccuracy: [],
    batchAccuracySmooth: [],
    epochLoss: [],
    epochValLoss: [],
    epochAccuracy: [],
    epochValAccuracy: [],
    gaps: [],
    lossEma: { last: 0, steps: 0 },
    accuracyEma: { last: 0, steps: 0 }
  }
}

function gapFor(x: number, metric: MetricName, problem: string | null, where: string): MetricGap[] {
  return problem === null ? [] : [{ x, metric, message: `${metric} was ${problem} at ${where}` }]
}

/** Adds one batch event; returns new arrays (the old ones are left untouched). */
export function appendBatch(series: MetricSeries, event: BatchEvent): MetricSeries {
  const x = batchX(event.epoch, event.batch, event.batchesPerEpoch)
  const loss = sanitizeMetric(event.loss)
  const acc = sanitizeMetric(event.accuracy)
  const [lossSmooth, lossEma] = emaStep(series.lossEma, loss.value)
  const [accSmooth, accuracyEma] = emaStep(series.accuracyEma, acc.value)
  const where = `epoch ${event.epoch}, batch ${event.batch}`
  return {
    ...series,
    batchLoss: [...series.batchLoss, { x, y: loss.value }],
    batchLossSmooth: [...series.batchLossSmooth, { x, y: lossSmooth }],
    batchAccuracy: [...series.batchAccuracy, { x, y: acc.value }],
    batchAccuracySmooth: [...series.batchAccuracySmooth, { x, y: accSmooth }],
    gaps: [
      ...series.gaps,
      ...gapFor(x, 'loss', loss.problem, where),
      ...gapFor(x, 'accuracy', acc.problem, where)
    ],
    lossEma,
    accuracyEma
  }
}

/**
 * Adds one epoch event. Validation values are `null` by design when the split is 0, so those are
 * left out rather than flagged; every other non-finite value becomes a marked gap.
 */
export function appendEpoch(
  series: MetricSeries,
  event: EpochEvent,
  hasValidation: boolean
): MetricSeries {
  const x = event.epoch
  const where = `the end of epoch ${event.epoch}`
  const loss = sanitizeMetric(event.loss)
  const acc = sanitizeMetric(event.accuracy)
  let { epochValLoss, epochValAccuracy } = series
  const gaps = [
    ...gapFor(x, 'loss', loss.problem, where),
    ...gapFor(x, 'accuracy', acc.problem, where)
  ]
  if (hasValidation) {
    const valLoss = sanitizeMetric(event.valLoss)
    const valAcc = sanitizeMetric(event.valAccuracy)
    epochValLoss = [...epochValLoss, { x, y: valLoss.value }]
    epochValAccuracy = [...epochValAccuracy, { x, y: valAcc.value }]
    if (valLoss.problem)
      gaps.push({
        x,
        metric: 'loss',
        message: `validation loss was ${valLoss.problem} at ${where}`
      })
    if (valAcc.problem) {
      gaps.push({
        x,
        metric: 'accuracy',
        message: `validation accuracy was ${valAcc.problem} at ${where}`
      })
    }
  }
  return {
    ...series,
    epochLoss: [...series.epochLoss, { x, y: loss.value }],
    epochAccuracy: [...series.epochAccuracy, { x, y: acc.value }],
    epochValLoss,
    epochValAccuracy,
    gaps: [...series.gaps, ...gaps]
  }
}

/**
 * Marks where a run failed on a non-finite loss. The engine stops on the first NaN without a batch
 * event for it (RELIABILITY D1), so the chart would otherwise just end; this puts the marked gap
 * and the engine's message where the next point would have been.
 */
export function appendFailure(series: MetricSeries, x: number, message: string): MetricSeries {
  return { ...series, gaps: [...series.gaps, { x, metric: 'loss', message }] }
}
