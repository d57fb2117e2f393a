/**
 * Text for `digit-studio train` in human mode: the model table, epoch lines, the final result.
 * Pure functions of protocol data, so the CLI process never loads tfjs.
 */
import type { ModelSummary } from '#shared/protocol/training'
import type { DoneEvent, EpochEvent } from '#shared/protocol/training-events'

const int = (x: number): string => Math.round(x).toLocaleString('en-US')
/** NaN/Infinity print as such (RELIABILITY T3): a diverged loss must never look like 0. */
const fixed = (x: number | null, digits: number): string =>
  x === null ? '-' : Number.isFinite(x) ? x.toFixed(digits) : String(x)
const pct = (x: number | null): string =>
  x === null ? '-' : Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : String(x)

/** Seconds as "42s", "3m 05s" or "1h 02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** The model summary as a table: layer, output shape, parameters. */
export function formatSummary(summary: ModelSummary): string {
  const rows = summary.layers.map((l) => [
    `${l.name} (${l.className})`,
    `[${l.outputShape.map((d) => d ?? 'N').join(',')}]`,
    int(l.params)
  ])
  const w0 = Math.max(5, ...rows.map((r) => r[0].length))
  const w1 = Math.max(12, ...rows.map((r) => r[1].length))
  const line = (r: string[]): string =>
    `  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2].padStart(9)}`
  return [
    line(['Layer', 'Output shape', 'Params']),
    ...rows.map(line),
    `  ${int(summary.totalParams)} parameters (${int(summary.trainableParams)} trainable)`
  ].join('\n')
}

/** One line per finished epoch. */
export function formatEpoch(e: EpochEvent): string {
  return (
    `Epoch ${e.epoch}/${e.epochs}: loss ${fixed(e.loss, 4)}, accuracy ${pct(e.accuracy)}, ` +
    `val loss ${fixed(e.valLoss, 4)}, val accuracy ${pct(e.valAccuracy)} ` +
    `(${formatDuration(e.seconds)}, ${int(e.samplesPerSecond)} samples/s)`
  )
}

/** The final result: test accuracy first, it is what people look for. */
export function formatDone(d: DoneEvent): string {
  const mem = d.peakRssBytes ? `, peak memory ${int(d.peakRssBytes / 2 ** 20)} MB` : ''
  return [
    `Test accuracy: ${pct(d.testAccuracy)} (loss ${fixed(d.testLoss, 4)}) on ${int(d.testCount)} images`,
    `Trained in ${formatDuration(d.totalSeconds)} at ${int(d.samplesPerSecond)} samples/s on ${d.backend}${mem}`,
    ...(d.stoppedEarly
      ? [`Stopped early after epoch ${d.epochsCompleted}: kept epoch ${d.bestEpoch}'s weights`]
      : d.bestEpoch
        ? [`Early stopping kept epoch ${d.bestEpoch}'s weights`]
        : []),
    `Model saved to ${d.modelDir}`,
    ...(d.runDir ? [`Run folder: ${d.runDir}`] : []),
    ...addedLines(d)
  ].join('\n')
}

/** Before/after of a run with added images (fine-tune), side by side. */
function addedLines(d: DoneEvent): string[] {
  if (d.addedImages === undefined) return []
  const before = (x: number | undefined): string => (x === undefined ? '-' : pct(x))
  return [
    `Added images: ${int(d.addedImages)} used (${int(d.heldOutCount ?? 0)} held out), ${int(d.skippedImages ?? 0)} skipped`,
    `Held-out added images: ${before(d.heldOutAccuracyBefore)} before, ${before(d.heldOutAccuracyAfter)} after`,
    ...(d.testAccuracyBefore !== undefined
      ? [`Test set: ${pct(d.testAccuracyBefore)} before, ${pct(d.testAccuracy)} after`]
      : []),
    ...(d.fromModel ? [`Started from ${d.fromModel} (kept; its run stays in runs history)`] : [])
  ]
}
