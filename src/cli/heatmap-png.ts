/**
 * `explain --out`: the saliency heatmap over the digit as a PNG, 10 px per input pixel
 * (nearest neighbour, so each model pixel stays a crisp square) with a viridis legend bar below.
 */
import { PNG } from 'pngjs'
import { IMAGE_SIZE } from '#shared/mnist'
import { absMax, viridis } from '#shared/colormap'

/** Screen pixels per model pixel. */
const SCALE = 10
const LEGEND_HEIGHT = 16
const GAP = 4
/** How much of the digit shows through the heatmap: enough to see the strokes under the colours. */
const INK_SHOW_THROUGH = 0.35

/** PNG bytes: |saliency| (normalised to its maximum) in viridis, blended with the input's ink. */
export function heatmapPng(input: ArrayLike<number>, saliency: ArrayLike<number>): Buffer {
  const side = IMAGE_SIZE * SCALE
  const png = new PNG({ width: side, height: side + GAP + LEGEND_HEIGHT })
  png.data.fill(255)
  const max = absMax(saliency)
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const i = Math.floor(y / SCALE) * IMAGE_SIZE + Math.floor(x / SCALE)
      const colour = viridis(Math.abs(saliency[i]) / max)
      const ink = input[i] * 255
      const o = (y * side + x) * 4
      for (let k = 0; k < 3; k++)
        png.data[o + k] = Math.round(colour[k] * (1 - INK_SHOW_THROUGH) + ink * INK_SHOW_THROUGH)
      png.data[o + 3] = 255
    }
  // Legend: 0 on the left, the map's maximum on the right.
  for (let y = side + GAP; y < side + GAP + LEGEND_HEIGHT; y++)
    for (let x = 0; x < side; x++) {
      const colour = viridis(x / (side - 1))
      const o = (y * side + x) * 4
      png.data.set([...colour, 255], o)
    }
  return PNG.sync.write(png)
}
