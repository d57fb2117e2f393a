/**
 * 28x28 MNIST images (784 grayscale bytes) as RGBA for a canvas.
 *
 * Images arrive as `Uint8Array` over Electron IPC (structured clone), but as plain arrays or
 * `{0: .., 1: ..}` objects when a bridge serialises them as JSON (the browser test harness, the
 * CLI's --json), so `toBytes` accepts all three instead of trusting one transport.
 */
import { IMAGE_PIXELS } from '#shared/mnist'

/** Normalises whatever crossed the bridge into a `Uint8Array` of 784 pixels (zeros if malformed). */
export function toBytes(image: unknown): Uint8Array {
  if (image instanceof Uint8Array) return image
  if (Array.isArray(image)) return Uint8Array.from(image as number[])
  if (image && typeof image === 'object') {
    const out = new Uint8Array(IMAGE_PIXELS)
    const record = image as Record<string, number>
    for (let i = 0; i < IMAGE_PIXELS; i++) out[i] = record[i] ?? 0
    return out
  }
  return new Uint8Array(IMAGE_PIXELS)
}

/**
 * RGBA pixels of a digit. MNIST is white ink on black; `inverted` draws dark ink on a light
 * background, which reads better on a light theme.
 */
export function digitPixels(image: Uint8Array, inverted: boolean): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(IMAGE_PIXELS * 4)
  for (let i = 0; i < IMAGE_PIXELS; i++) {
    const v = inverted ? 255 - (image[i] ?? 0) : (image[i] ?? 0)
    rgba[i * 4] = v
    rgba[i * 4 + 1] = v
    rgba[i * 4 + 2] = v
    rgba[i * 4 + 3] = 255
  }
  return rgba
}
