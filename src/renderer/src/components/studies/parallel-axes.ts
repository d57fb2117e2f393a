/**
 * The axes of the parallel-coordinates chart (as TensorBoard HParams and W&B draw them): one per
 * parameter that varies among the trials, then validation accuracy; each trial is scaled to 0-1 on
 * every axis (the learning rate on a log scale, like the space it was drawn from).
 */
import type { TrialRecord } from '#shared/protocol/studies'

interface Axis {
  key: string
  label: string
  /** Position 0-1 (bottom to top) of a trial on this axis; null for a failed trial's accuracy. */
  position: (r: TrialRecord) => number | null
  ticks: { at: number; text: string }[]
}

const LABELS: Record<string, string> = {
  architecture: 'architecture',
  learningRate: 'learning rate',
  batchSize: 'batch',
  epochs: 'epochs',
  learningRateDecay: 'decay',
  augment: 'augment',
  widthMultiplier: 'width ×',
  dropout: 'dropout'
}

const accuracy = (r: TrialRecord): number | null => r.rungs.at(-1)?.valAccuracy ?? null

/** The chart's axes for `records`; parameters equal in every trial are left out. */
export function parallelAxes(records: TrialRecord[]): Axis[] {
  const axes: Axis[] = []
  for (const key of Object.keys(LABELS)) {
    const raw = records.map((r) => (r.params as unknown as Record<string, unknown>)[key])
    const distinct = [...new Set(raw.map((x) => JSON.stringify(x ?? null)))].map(
      (x) => JSON.parse(x) as unknown
    )
    if (distinct.length < 2) continue
    const numeric = distinct.every((x) => typeof x === 'number')
    if (numeric) {
      const log = key === 'learningRate'
      const f = (x: number): number => (log ? Math.log(x) : x)
      const nums = distinct as number[]
      const lo = Math.min(...nums.map(f))
      const hi = Math.max(...nums.map(f))
      const at = (x: number): number => (hi > lo ? (f(x) - lo) / (hi - lo) : 0.5)
      const shown = nums.length <= 6 ? nums : [Math.min(...nums), Math.max(...nums)]
      axes.push({
        key,
        label: LABELS[key],
        position: (r) => at((r.params as unknown as Record<string, number>)[key]),
        ticks: shown.map((x) => ({ at: at(x), text: String(Number(x.toPrecision(3))) }))
      })
    } else {
      const names = distinct.map((x) => JSON.stringify(x))
      const at = (x: unknown): number =>
        names.indexOf(JSON.stringify(x ?? null)) / (names.length - 1)
      axes.push({
        key,
        label: LABELS[key],
        position: (r) => at((r.params as unknown as Record<string, unknown>)[key]),
        ticks: distinct.map((x) => ({ at: at(x), text: String(x) }))
      })
    }
  }
  const accs = records.map(accuracy).filter((a): a is number => a !== null)
  const lo = accs.length ? Math.min(...accs) : 0
  const hi = accs.length ? Math.max(...accs) : 1
  const at = (a: number): number => (hi > lo ? (a - lo) / (hi - lo) : 0.5)
  axes.push({
    key: 'valAccuracy',
    label: 'val accuracy',
    position: (r) => {
      const a = accuracy(r)
      return a === null ? null : at(a)
    },
    ticks: !accs.length
      ? []
      : hi === lo
        ? [{ at: 0.5, text: `${(lo * 100).toFixed(1)}%` }]
        : [
            { at: 0, text: `${(lo * 100).toFixed(1)}%` },
            { at: 1, text: `${(hi * 100).toFixed(1)}%` }
          ]
  })
  return axes
}
