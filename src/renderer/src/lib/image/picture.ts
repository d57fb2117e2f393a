/**
 * The engine's step pictures (`Picture`: gray or RGBA bytes) as RGBA for a canvas. Decoding never
 * happens here: the engine sends small, already decoded pictures (thumbnail, mask, 28x28).
 */
import type { Picture } from '#shared/protocol/classify'

/** Gray or RGBA bytes -> RGBA for ImageData. `invert` shows white-on-black masks as dark ink on light. */
export function pictureToRgba(pic: Picture, invert = false): Uint8ClampedArray<ArrayBuffer> {
  const n = pic.width * pic.height
  const out = new Uint8ClampedArray(n * 4)
  for (let i = 0; i < n; i++) {
    if (pic.channels === 4) {
      out.set(pic.data.subarray(i * 4, i * 4 + 4), i * 4)
    } else {
      const v = invert ? 255 - pic.data[i] : pic.data[i]
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = v
      out[i * 4 + 3] = 255
    }
  }
  return out
}
