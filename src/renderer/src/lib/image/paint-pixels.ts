/**
 * The one way the renderer paints pixels onto a canvas: one canvas pixel per image pixel, CSS
 * scales it up (see PixelCanvas.svelte).
 */

/** Sizes `canvas` to `width` x `height` and paints the RGBA `pixels`. No-op where canvas is missing. */
export function paintPixels(
  canvas: HTMLCanvasElement,
  pixels: Uint8ClampedArray<ArrayBuffer>,
  width: number,
  height: number
): void {
  canvas.width = width
  canvas.height = height
  let ctx: CanvasRenderingContext2D | null
  try {
    ctx = canvas.getContext('2d')
  } catch {
    return // jsdom without a canvas package: nothing to draw on
  }
  ctx?.putImageData(new ImageData(pixels, width, height), 0, 0)
}
