import type { BenchPreset } from '#shared/protocol/bench'
import type { BackendKind } from '#shared/protocol/info'
import type { BackendFigures } from './bench-step'

/** Min, median and max of repeated measurements. */
interface Spread {
  min: number
  median: number
  max: number
}

/** The spread of `values` (at least one), rounded to whole samples/s. */
export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  return { min: Math.round(s[0]), median: Math.round(median), max: Math.round(s.at(-1)!) }
}

/** One backend on one preset: its figures, or why it could not be measured. */
export type BenchReport =
  | { preset: BenchPreset; backend: BackendKind; available: true; figures: BackendFigures }
  | { preset: BenchPreset; backend: BackendKind; available: false; reason: string }

const n = (x: unknown): string =>
  typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : '-'

const withSpread = (value: unknown, s: unknown): string => {
  const range = s as Spread | undefined
  return range && range.min !== range.max
    ? `${n(value as number)} (${n(range.min)}-${n(range.max)})`
    : n(value as number)
}

/** One line of the human report: preset, backend, train, infer, memory, classify latency. */
export function formatReport(r: BenchReport): string {
  const head = `${r.preset.padEnd(9)}${r.backend.padEnd(7)}`
  if (!r.available) return `${head} unavailable: ${r.reason}`
  const f = r.figures
  const threads =
    typeof f.trainThreads === 'number' && f.trainThreads > 1
      ? ` on ${f.trainThreads} threads (${n(f.trainSamplesPerSecondOneThread)} on 1)`
      : ''
  const classify =
    typeof f.classifyMedianMs === 'number'
      ? `classify scan ${f.classifyMedianMs} ms (p95 ${f.classifyP95Ms})   `
      : ''
  const drawPad =
    typeof f.drawPadUpdateMedianMs === 'number'
      ? `draw-pad update ${f.drawPadUpdateMedianMs} ms (p95 ${f.drawPadUpdateP95Ms})   `
      : ''
  return (
    `${head} train ${withSpread(f.trainSamplesPerSecond, f.train).padStart(7)} samples/s${threads}` +
    `   infer ${withSpread(f.inferSamplesPerSecond, f.infer).padStart(7)} samples/s   ` +
    `peak RSS ${n(typeof f.peakRssBytes === 'number' ? f.peakRssBytes / 2 ** 20 : undefined)} MB   ` +
    `${classify}${drawPad}(${f.backendReason})`
  )
}

/** The JSON summary's `presets` map: preset -> backend -> figures or `{available:false,reason}`. */
export function byPreset(
  reports: BenchReport[]
): Record<string, Record<string, BackendFigures | { available: false; reason: string }>> {
  const out: Record<
    string,
    Record<string, BackendFigures | { available: false; reason: string }>
  > = {}
  for (const r of reports) {
    out[r.preset] ??= {}
    out[r.preset][r.backend] = r.available ? r.figures : { available: false, reason: r.reason }
  }
  return out
}
