/**
 * Perceptual colour maps shared by the CLI's PNGs and the renderer's canvases. Viridis (van der
 * Walt & Smith, matplotlib's default) is perceptually uniform, reads in gray print and is safe for
 * the common colour-vision deficiencies, so a heatmap means the same to every user.
 */

type Rgb = [number, number, number]

/** Viridis at nine evenly spaced stops (matplotlib's values); between them, linear interpolation. */
const VIRIDIS_STOPS: Rgb[] = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37]
]

/** Viridis colour of `t` in 0..1 (clamped), as 0..255 RGB. */
export function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS_STOPS.length - 1)
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(x))
  const f = x - i
  const a = VIRIDIS_STOPS[i]
  const b = VIRIDIS_STOPS[i + 1]
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as Rgb
}

/**
 * A diverging map for signed values in -1..1 (contrast maps): blue for negative, white at zero,
 * orange for positive, the colour-blind-safe pair of ColorBrewer's PuOr family.
 */
export function blueOrange(t: number): Rgb {
  const x = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0))
  const end: Rgb = x < 0 ? [33, 102, 172] : [230, 97, 1]
  const w = Math.abs(x)
  return [0, 1, 2].map((k) => Math.round(255 + (end[k] - 255) * w)) as Rgb
}

/** Largest absolute value of a map (1 for an all-zero map, so dividing by it is safe). */
export function absMax(values: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]))
  return m > 0 ? m : 1
}
