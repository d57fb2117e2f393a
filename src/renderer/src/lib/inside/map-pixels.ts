/**
 * RGBA pixels for the Inside view's canvases: saliency heatmaps (viridis over |value|), contrast
 * maps (blue-white-orange over signed values), activation channels and learned filters. Pure
 * functions, so they are tested without a canvas.
 */
import { absMax, blueOrange, viridis } from '#shared/colormap'

/** Whatever crossed the bridge (Float32Array over IPC; arrays or index objects from JSON bridges). */
export function toFloats(values: unknown, length: number): Float32Array {
  if (values instanceof Float32Array) return values
  if (Array.isArray(values)) return Float32Array.from(values as number[])
  const out = new Float32Array(length)
  if (values && typeof values === 'object') {
    const record = values as Record<string, number>
    for (let i = 0; i < length; i++) out[i] = record[i] ?? 0
  }
  return out
}

function rgba(
  count: number,
  colour: (i: number) => [number, number, number]
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(count * 4)
  for (let i = 0; i < count; i++) {
    const [r, g, b] = colour(i)
    out[i * 4] = r
    out[i * 4 + 1] = g
    out[i * 4 + 2] = b
    out[i * 4 + 3] = 255
  }
  return out
}

/** |map| / max|map| in viridis: dark purple = no influence, yellow = the strongest pixel. */
export function heatmapPixels(map: ArrayLike<number>): Uint8ClampedArray<ArrayBuffer> {
  const max = absMax(map)
  return rgba(map.length, (i) => viridis(Math.abs(map[i]) / max))
}

/** Signed map / max|map|: orange speaks for the class, blue against, white neither. */
export function divergingPixels(map: ArrayLike<number>): Uint8ClampedArray<ArrayBuffer> {
  const max = absMax(map)
  return rgba(map.length, (i) => blueOrange(map[i] / max))
}

/**
 * One channel of a channel-last activation [h, w, c] as viridis over 0..`scale` (the layer's
 * maximum, so channels of one layer compare by brightness).
 */
export function channelPixels(
  data: ArrayLike<number>,
  channels: number,
  channel: number,
  scale: number
): Uint8ClampedArray<ArrayBuffer> {
  const count = Math.floor(data.length / channels)
  const s = scale > 0 ? scale : 1
  return rgba(count, (i) => viridis(data[i * channels + channel] / s))
}

/** One filter (filter-major bank) in blue-white-orange, scaled by the bank's largest weight. */
export function filterPixels(
  data: ArrayLike<number>,
  size: number,
  filter: number,
  scale: number
): Uint8ClampedArray<ArrayBuffer> {
  const s = scale > 0 ? scale : 1
  return rgba(size, (i) => blueOrange(data[filter * size + i] / s))
}
