/**
 * Piece-level steps of MNIST's own normalisation (LeCun et al.): crop to the ink -> thicken strokes
 * that are thinner than MNIST's -> fit into 20x20 keeping the aspect ratio -> place in 28x28 so the
 * centre of mass is at the centre -> scale to [0,1]. Pure functions on gray images (bright ink).
 */
import { IMAGE_SIZE } from '#shared/mnist'
import type { Box } from '#shared/protocol/classify'
import { resizeArea } from './resize'
import type { GrayImage } from './types'

/** MNIST digits fit a 20x20 box inside the 28x28 image (the 4-pixel border is empty). */
const FIT_SIZE = 20
/**
 * MNIST strokes are ~2-3 px wide in the 20 px box, i.e. 10-15 % of the digit's longer side. A pen
 * line on a 300 px scan is far thinner relatively and would shrink to a faint hairline, so strokes
 * under 70 % of this are thickened up to it. Already MNIST-like strokes are left alone: dilating
 * them fills the loops of an 8 or a 6.
 */
const TARGET_STROKE_FRACTION = 0.1
const THIN_STROKE_RATIO = 0.7

/**
 * Cuts the piece out of the page: only pixels of its own components are kept (a neighbour's stroke
 * reaching into the box, or a dropped speck, stays out), with their ink intensity scaled so the
 * piece's strong ink (90th percentile) is full white, as MNIST's strokes are.
 */
export function cropPiece(
  ink: GrayImage,
  labels: Int32Array,
  pieceLabels: number[],
  box: Box
): GrayImage {
  const [bx, by, bw, bh] = box
  const keep = new Set(pieceLabels)
  const out = new Uint8Array(bw * bh)
  const values: number[] = []
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const i = (by + y) * ink.width + bx + x
      if (keep.has(labels[i])) {
        out[y * bw + x] = ink.data[i]
        values.push(ink.data[i])
      }
    }
  }
  values.sort((a, b) => a - b)
  const strong = values.length ? Math.max(1, values[Math.floor(values.length * 0.9)]) : 255
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.round((out[i] * 255) / strong))
  return { width: bw, height: bh, data: out }
}

/** Mean stroke width in pixels: ink area over half the perimeter (a stroke is a long thin band). */
export function strokeWidth(img: GrayImage): number {
  const { width: w, height: h, data } = img
  let area = 0
  let edge = 0
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!data[y * w + x]) continue
      area++
      const out = (xx: number, yy: number): boolean =>
        xx < 0 || yy < 0 || xx >= w || yy >= h || !data[yy * w + xx]
      if (out(x - 1, y) || out(x + 1, y) || out(x, y - 1) || out(x, y + 1)) edge++
    }
  }
  return edge ? (2 * area) / edge : 0
}

/** Grey-level dilation by a (2r+1) square, separable (two 1-D max passes). */
export function dilate(img: GrayImage, r: number): GrayImage {
  if (r <= 0) return img
  const { width: w, height: h } = img
  const pass = (src: Uint8Array, horizontal: boolean): Uint8Array => {
    const dst = new Uint8Array(src.length)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let m = 0
        for (let d = -r; d <= r; d++) {
          const xx = horizontal ? x + d : x
          const yy = horizontal ? y : y + d
          if (xx >= 0 && yy >= 0 && xx < w && yy < h) m = Math.max(m, src[yy * w + xx])
        }
        dst[y * w + x] = m
      }
    }
    return dst
  }
  return { width: w, height: h, data: pass(pass(img.data, true), false) }
}

/**
 * Thickens thin strokes to MNIST's relative width. The piece is padded first so the dilation can
 * grow outwards instead of being clipped at the crop's edge.
 */
export function normaliseStroke(img: GrayImage): GrayImage {
  const target = TARGET_STROKE_FRACTION * Math.max(img.width, img.height)
  const width = strokeWidth(img)
  if (width >= THIN_STROKE_RATIO * target) return img
  const r = Math.round((target - width) / 2)
  if (r <= 0) return img
  const padded = pad(img, r)
  return dilate(padded, r)
}

function pad(img: GrayImage, p: number): GrayImage {
  const w = img.width + 2 * p
  const h = img.height + 2 * p
  const out = new Uint8Array(w * h)
  for (let y = 0; y < img.height; y++)
    out.set(img.data.subarray(y * img.width, (y + 1) * img.width), (y + p) * w + p)
  return { width: w, height: h, data: out }
}

/** Fits the ink into a `size` x `size` box keeping its aspect ratio (area-averaged), max scaled to 255. */
export function fitInto(img: GrayImage, size: number = FIT_SIZE): GrayImage {
  const scale = size / Math.max(img.width, img.height)
  const w = Math.max(1, Math.min(size, Math.round(img.width * scale)))
  const h = Math.max(1, Math.min(size, Math.round(img.height * scale)))
  const data = resizeArea(img.data, img.width, img.height, 1, w, h)
  let max = 0
  for (const v of data) max = Math.max(max, v)
  if (max > 0 && max < 255)
    for (let i = 0; i < data.length; i++) data[i] = Math.round((data[i] * 255) / max)
  return { width: w, height: h, data }
}

/** Intensity-weighted centre of mass (x, y) of a gray image. */
export function centreOfMass(img: GrayImage): { x: number; y: number } {
  let sum = 0
  let sx = 0
  let sy = 0
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const v = img.data[y * img.width + x]
      sum += v
      sx += v * (x + 0.5)
      sy += v * (y + 0.5)
    }
  }
  return sum ? { x: sx / sum, y: sy / sum } : { x: img.width / 2, y: img.height / 2 }
}

/** Places the fitted digit in a 28x28 image so its centre of mass lands on the centre (14, 14). */
export function placeByCentreOfMass(img: GrayImage, size: number = IMAGE_SIZE): GrayImage {
  const com = centreOfMass(img)
  const clamp = (v: number, max: number): number => Math.min(Math.max(v, 0), max)
  const ox = clamp(Math.round(size / 2 - com.x), size - img.width)
  const oy = clamp(Math.round(size / 2 - com.y), size - img.height)
  const out = new Uint8Array(size * size)
  for (let y = 0; y < img.height; y++)
    out.set(img.data.subarray(y * img.width, (y + 1) * img.width), (y + oy) * size + ox)
  return { width: size, height: size, data: out }
}

/** Bytes 0-255 -> floats in [0,1], the model's input scale (as in training). */
export function toUnitRange(img: GrayImage): Float32Array {
  const out = new Float32Array(img.data.length)
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] / 255
  return out
}

/** Every piece-level step after the crop: thicken, fit 20x20, centre in 28x28. */
export function normaliseDigit(crop: GrayImage): GrayImage {
  return placeByCentreOfMass(fitInto(normaliseStroke(crop)))
}
