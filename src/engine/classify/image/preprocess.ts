/**
 * Page-level preprocessing, as pure functions (each unit-tested, each output a picture the UI can
 * show): grayscale -> polarity -> background flattening -> Otsu threshold. The piece-level steps
 * (crop, fit 20x20, centre of mass in 28x28, [0,1]) are in normalise-digit.ts.
 */
import type { GrayImage, RgbaImage } from './types'

/**
 * RGBA -> gray with alpha composited on white (a transparent PNG of black ink is ink on paper,
 * not ink on black) and Rec. 601 luma weights, the ones MNIST-era scanners and libjpeg use.
 */
export function toGray(img: RgbaImage): GrayImage {
  const { width, height, data } = img
  const out = new Uint8Array(width * height)
  for (let i = 0, j = 0; j < out.length; i += 4, j++) {
    const a = data[i + 3] / 255
    const luma = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]
    out[j] = Math.round(luma * a + 255 * (1 - a))
  }
  return { width, height, data: out }
}

/** 256-bin histogram of a gray image. */
export function histogram(gray: GrayImage): Uint32Array {
  const hist = new Uint32Array(256)
  for (const v of gray.data) hist[v]++
  return hist
}

/** The gray level below which `fraction` of the pixels lie (0.5 = median). */
export function percentile(hist: Uint32Array, fraction: number): number {
  let total = 0
  for (const c of hist) total += c
  const target = fraction * total
  let seen = 0
  for (let v = 0; v < 256; v++) {
    seen += hist[v]
    if (seen >= target && seen > 0) return v
  }
  return 255
}

/**
 * True when the page is light with dark ink (paper, the usual case): ink is a minority of the
 * pixels, so the median pixel is paper. MNIST is the other way round (light ink on black).
 */
export function isDarkOnLight(gray: GrayImage): boolean {
  return percentile(histogram(gray), 0.5) >= 128
}

/** 255 - v: turns dark ink on light paper into MNIST's light ink on a dark background. */
export function invert(gray: GrayImage): GrayImage {
  const out = new Uint8Array(gray.data.length)
  for (let i = 0; i < out.length; i++) out[i] = 255 - gray.data[i]
  return { ...gray, data: out }
}

/**
 * Subtracts a smooth estimate of the background (light ink on dark after polarity), so a scan
 * with a shadow or a lamp gradient thresholds as well as a flat one. The estimate is the 25th
 * percentile of coarse blocks (ink is bright and rarely fills a quarter of a block), bilinearly
 * interpolated between block centres.
 */
export function flattenBackground(img: GrayImage): GrayImage {
  const { width: w, height: h, data } = img
  const block = Math.max(32, Math.round(Math.min(w, h) / 4))
  const bx = Math.max(1, Math.ceil(w / block))
  const by = Math.max(1, Math.ceil(h / block))
  const levels = new Float32Array(bx * by)
  const hist = new Uint32Array(256)
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      hist.fill(0)
      for (let y = j * block; y < Math.min(h, (j + 1) * block); y++) {
        for (let x = i * block; x < Math.min(w, (i + 1) * block); x++) hist[data[y * w + x]]++
      }
      levels[j * bx + i] = percentile(hist, 0.25)
    }
  }
  const out = new Uint8Array(w * h)
  for (let y = 0; y < h; y++) {
    const fy = Math.min(by - 1, Math.max(0, (y + 0.5) / block - 0.5))
    const j0 = Math.floor(fy)
    const j1 = Math.min(by - 1, j0 + 1)
    const ty = fy - j0
    for (let x = 0; x < w; x++) {
      const fx = Math.min(bx - 1, Math.max(0, (x + 0.5) / block - 0.5))
      const i0 = Math.floor(fx)
      const i1 = Math.min(bx - 1, i0 + 1)
      const tx = fx - i0
      const top = levels[j0 * bx + i0] * (1 - tx) + levels[j0 * bx + i1] * tx
      const bottom = levels[j1 * bx + i0] * (1 - tx) + levels[j1 * bx + i1] * tx
      const bg = top * (1 - ty) + bottom * ty
      out[y * w + x] = Math.max(0, Math.round(data[y * w + x] - bg))
    }
  }
  return { width: w, height: h, data: out }
}

/** Otsu's threshold: the level that maximises the between-class variance of the histogram. */
export function otsuThreshold(hist: Uint32Array): number {
  let total = 0
  let sumAll = 0
  for (let v = 0; v < 256; v++) {
    total += hist[v]
    sumAll += v * hist[v]
  }
  let weightBg = 0
  let sumBg = 0
  let best = 0
  let bestVar = -1
  for (let t = 0; t < 256; t++) {
    weightBg += hist[t]
    if (weightBg === 0) continue
    const weightFg = total - weightBg
    if (weightFg === 0) break
    sumBg += t * hist[t]
    const meanBg = sumBg / weightBg
    const meanFg = (sumAll - sumBg) / weightFg
    const between = weightBg * weightFg * (meanBg - meanFg) ** 2
    if (between > bestVar) {
      bestVar = between
      best = t
    }
  }
  return best
}

/**
 * Less contrast than this (99.9th percentile minus median, after flattening) means there is no ink:
 * a blank page's noise must not be thresholded into "digits".
 */
const MIN_INK_CONTRAST = 40

/**
 * The ink threshold for a flattened page, or null for a blank page. Otsu alone splits pure noise
 * in two, so the threshold is also kept at least halfway up to the ink's contrast.
 */
export function inkThreshold(flat: GrayImage): number | null {
  const hist = histogram(flat)
  const paper = percentile(hist, 0.5)
  const ink = percentile(hist, 0.999)
  if (ink - paper < MIN_INK_CONTRAST) return null
  return Math.max(otsuThreshold(hist), Math.round(paper + (ink - paper) * 0.35))
}

/** 0/1 mask of pixels brighter than the threshold. */
export function binarize(img: GrayImage, threshold: number): GrayImage {
  const out = new Uint8Array(img.data.length)
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] > threshold ? 1 : 0
  return { ...img, data: out }
}
