import { describe, expect, it } from 'vitest'
import {
  binarize,
  flattenBackground,
  histogram,
  inkThreshold,
  invert,
  isDarkOnLight,
  otsuThreshold,
  percentile,
  toGray
} from '#engine/classify/image/preprocess'
import {
  centreOfMass,
  cropPiece,
  dilate,
  fitInto,
  normaliseStroke,
  placeByCentreOfMass,
  strokeWidth,
  toUnitRange
} from '#engine/classify/image/normalise-digit'
import { fitWithin, resizeArea } from '#engine/classify/image/resize'
import type { GrayImage } from '#engine/classify/image/types'

const grayOf = (w: number, h: number, f: (x: number, y: number) => number): GrayImage => {
  const data = new Uint8Array(w * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y)
  return { width: w, height: h, data }
}

describe('grayscale', () => {
  it('uses Rec. 601 luma and composites alpha on white', () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 0, 255, 0, 255])
    const g = toGray({ width: 4, height: 1, data: rgba })
    expect([...g.data]).toEqual([76, 255, 127, 150])
  })
})

describe('polarity', () => {
  it('light paper with dark ink is detected and inverted to light-on-dark', () => {
    const page = grayOf(20, 20, (x) => (x === 10 ? 20 : 240))
    expect(isDarkOnLight(page)).toBe(true)
    const inv = invert(page)
    expect(inv.data[10]).toBe(235)
    expect(inv.data[0]).toBe(15)
    expect(isDarkOnLight(inv)).toBe(false)
  })
})

describe('background removal', () => {
  it('flattening removes a lamp gradient but keeps the ink contrast', () => {
    // Dark background rising from 10 to 90 left to right, ink (+150) in a vertical bar.
    const page = grayOf(200, 100, (x) => 10 + (80 * x) / 199 + (x >= 150 && x < 156 ? 150 : 0))
    const flat = flattenBackground(page)
    expect(flat.data[50 * 200 + 5]).toBeLessThan(12)
    expect(flat.data[50 * 200 + 190]).toBeLessThan(12)
    expect(flat.data[50 * 200 + 152]).toBeGreaterThan(130)
  })

  it("Otsu's threshold splits a bimodal histogram between its modes", () => {
    const hist = new Uint32Array(256)
    hist[20] = 900
    hist[200] = 100
    const t = otsuThreshold(hist)
    expect(t).toBeGreaterThanOrEqual(20)
    expect(t).toBeLessThan(200)
    expect(percentile(hist, 0.5)).toBe(20)
  })

  it('a blank noisy page has no ink threshold; a page with ink has one', () => {
    let seed = 1
    const noise = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 20
    expect(inkThreshold(grayOf(100, 100, () => noise()))).toBeNull()
    const inked = grayOf(100, 100, (x, y) =>
      Math.abs(x - 50) < 3 && y > 20 && y < 80 ? 220 : noise()
    )
    const t = inkThreshold(inked)
    expect(t).not.toBeNull()
    const mask = binarize(inked, t!)
    expect(mask.data.reduce((a, b) => a + b, 0)).toBe(5 * 59)
    expect(histogram(mask)[1]).toBe(5 * 59)
  })
})

describe('digit normalisation', () => {
  it('crop keeps only the piece’s own components and stretches its ink to white', () => {
    const ink = grayOf(6, 4, (x) => (x < 3 ? 100 : 200))
    const labels = new Int32Array(24).map((_, i) => (i % 6 < 3 ? 1 : 2))
    const crop = cropPiece(ink, labels, [1], [1, 1, 4, 2])
    expect(crop.width).toBe(4)
    expect([...crop.data.subarray(0, 4)]).toEqual([255, 255, 0, 0])
  })

  it('stroke width of a bar is its thickness; thin strokes are thickened to ~10 % of the size', () => {
    const bar = grayOf(100, 100, (x) => (x >= 48 && x < 52 ? 255 : 0))
    expect(strokeWidth(bar)).toBeCloseTo(4, 0)
    const thick = normaliseStroke(bar)
    expect(strokeWidth(thick)).toBeGreaterThan(8)
    expect(dilate(bar, 1).data[50 * 100 + 47]).toBe(255)
  })

  it('fits into 20x20 keeping the aspect ratio, ink max at 255', () => {
    const tall = grayOf(30, 90, () => 128)
    const fit = fitInto(tall)
    expect([fit.width, fit.height]).toEqual([7, 20])
    expect(Math.max(...fit.data)).toBe(255)
    expect(fitWithin(1000, 500, 480)).toEqual({ width: 480, height: 240, scale: 0.48 })
    expect([...resizeArea(new Uint8Array([0, 255, 0, 255]), 4, 1, 1, 2, 1)]).toEqual([128, 128])
  })

  it('places the digit in 28x28 with its centre of mass at the centre', () => {
    // A 10x20 fit (a "1"-like shape) with its ink on the left: the box must shift right of centre.
    const lopsided = grayOf(10, 20, (x) => (x < 3 ? 255 : x === 9 ? 60 : 0))
    const placed = placeByCentreOfMass(lopsided)
    expect([placed.width, placed.height]).toEqual([28, 28])
    const com = centreOfMass(placed)
    expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(1)
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(1)
    const unit = toUnitRange(placed)
    expect(Math.max(...unit)).toBe(1)
    expect(Math.min(...unit)).toBe(0)
  })
})
