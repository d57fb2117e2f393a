/**
 * Area-average resampling ("box filter" with fractional coverage), separable: each output pixel is
 * the mean of the source area it covers. Downscaling a 300 px digit to 20 px this way keeps the
 * anti-aliased grey edges MNIST's own 20x20 fit has, where nearest-neighbour would alias the strokes.
 * Works for any channel count; upscaling degrades gracefully to pixel replication.
 */
export function resizeArea(
  src: Uint8Array,
  w: number,
  h: number,
  channels: number,
  nw: number,
  nh: number
): Uint8Array {
  const tmp = new Float32Array(nw * h * channels)
  resample1d(src, tmp, w, h, channels, nw, true)
  const out = new Float32Array(nw * nh * channels)
  resample1d(tmp, out, nw, h, channels, nh, false)
  const bytes = new Uint8Array(out.length)
  for (let i = 0; i < out.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round(out[i])))
  return bytes
}

/** One pass along x (horizontal) or y: `n` source samples become `m`, each the covered mean. */
function resample1d(
  src: ArrayLike<number>,
  dst: Float32Array,
  w: number,
  h: number,
  ch: number,
  m: number,
  horizontal: boolean
): void {
  const n = horizontal ? w : h
  const lines = horizontal ? h : w
  const scale = n / m
  for (let o = 0; o < m; o++) {
    const a = o * scale
    const b = a + scale
    const first = Math.floor(a)
    const last = Math.min(n - 1, Math.ceil(b) - 1)
    for (let line = 0; line < lines; line++) {
      for (let c = 0; c < ch; c++) {
        let sum = 0
        for (let i = first; i <= last; i++) {
          const weight = Math.min(b, i + 1) - Math.max(a, i)
          const idx = horizontal ? (line * w + i) * ch + c : (i * w + line) * ch + c
          sum += src[idx] * weight
        }
        const di = horizontal ? (line * m + o) * ch + c : (o * w + line) * ch + c
        dst[di] = sum / scale
      }
    }
  }
}

/** Scale factor and size that fit (w, h) inside a `max` x `max` square, never enlarging. */
export function fitWithin(
  w: number,
  h: number,
  max: number
): { width: number; height: number; scale: number } {
  const scale = Math.min(1, max / Math.max(w, h))
  return {
    width: Math.max(1, Math.round(w * scale)),
    height: Math.max(1, Math.round(h * scale)),
    scale
  }
}
