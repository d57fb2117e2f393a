/**
 * Number and time formatting for the dashboard. Pure functions, so the panels stay thin and
 * non-finite values are spelled out ("NaN") instead of silently printing 0 or "undefined".
 */

/** `0.9876` -> `"98.76 %"`; non-finite -> the value's name. */
export function formatPercent(fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined) return '—'
  if (!Number.isFinite(fraction)) return String(fraction)
  return `${(fraction * 100).toFixed(digits)} %`
}

/** A loss or other metric with a fixed number of significant decimals. */
export function formatMetric(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—'
  if (!Number.isFinite(value)) return String(value)
  return value.toFixed(digits)
}

/** Thousands separators that don't depend on the OS locale, so screenshots and tests agree. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Seconds as `"42 s"`, `"3 min 05 s"` or `"1 h 02 min"`; unknown -> "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0)
    return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

/** Throughput, e.g. `"1,234 img/s"`. */
export function formatRate(samplesPerSecond: number | null | undefined): string {
  if (
    samplesPerSecond === null ||
    samplesPerSecond === undefined ||
    !Number.isFinite(samplesPerSecond)
  ) {
    return '—'
  }
  return `${formatCount(samplesPerSecond)} img/s`
}

/** A Keras-style output shape: `[null, 28, 28, 32]` -> `"(batch, 28, 28, 32)"`. */
export function formatShape(shape: (number | null)[]): string {
  return `(${shape.map((d) => (d === null ? 'batch' : String(d))).join(', ')})`
}
