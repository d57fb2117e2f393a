// RELIABILITY I6: segmentation is bounded. The stroke merge no longer rescans from the start
// after every merge (cubic in the number of marks), gives the same pieces as that plain rule on
// generated pages, and pages with over 2,000 marks are refused with a message.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { labelComponents } from '#engine/classify/image/components'
import { analysePage } from '#engine/classify/image/page-pipeline'
import {
  binarize,
  flattenBackground,
  inkThreshold,
  invert,
  toGray
} from '#engine/classify/image/preprocess'
import {
  belongTogether,
  dropSpecks,
  mergeBrokenStrokes,
  type MergeStats,
  type Piece
} from '#engine/classify/image/segment'
import type { RgbaImage } from '#engine/classify/image/types'
import { encodePng } from '../fixtures/encode'
import { renderScan } from '../fixtures/render-scan'
import { testDigits } from '../fixtures/scans'

/** The rule as first written (merge the first pair in list order, rescan from the start). */
function referenceMerge(pieces: Piece[]): Piece[] {
  const out = [...pieces]
  for (let merged = true; merged;) {
    merged = false
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (belongTogether(out[i], out[j])) {
          const [a, b] = [out[i], out[j]]
          const x0 = Math.min(a.box[0], b.box[0])
          const y0 = Math.min(a.box[1], b.box[1])
          const x1 = Math.max(a.box[0] + a.box[2], b.box[0] + b.box[2])
          const y1 = Math.max(a.box[1] + a.box[3], b.box[1] + b.box[3])
          out[i] = {
            labels: [...a.labels, ...b.labels],
            box: [x0, y0, x1 - x0, y1 - y0],
            area: a.area + b.area
          }
          out.splice(j, 1)
          merged = true
          break outer
        }
      }
    }
  }
  return out
}

/** Ink pieces of a page, as segmentDigits sees them before merging. */
function piecesOf(page: RgbaImage): Piece[] {
  const flat = flattenBackground(invert(toGray(page)))
  const { components } = labelComponents(binarize(flat, inkThreshold(flat)!))
  return dropSpecks(components, 30).map((c) => ({
    labels: [c.label],
    box: [c.x0, c.y0, c.x1 - c.x0 + 1, c.y1 - c.y0 + 1],
    area: c.area
  }))
}

/**
 * A white page of `count` black 6x6 dots, every mark separate, in pairs one pixel apart one above
 * the other: each pair belongs together (a broken stroke), so the merge has count / 2 merges to do,
 * which made the rescan-after-every-merge rule cubic.
 */
function dotsPage(count: number): RgbaImage {
  const perRow = Math.ceil(Math.sqrt(count / 2))
  const width = perRow * 12 + 12
  const height = Math.ceil(count / 2 / perRow) * 18 + 12
  const data = new Uint8Array(width * height * 4).fill(255)
  const dot = (x0: number, y0: number): void => {
    for (let y = y0; y < y0 + 6; y++)
      for (let x = x0; x < x0 + 6; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3)
  }
  for (let n = 0; n < count; n++) {
    const pair = n >> 1
    dot(6 + (pair % perRow) * 12, 6 + Math.floor(pair / perRow) * 18 + (n & 1) * 7)
  }
  return { width, height, data }
}

describe('merging broken strokes', () => {
  it('gives the same pieces as the plain rule on random boxes (fixed seed)', () => {
    const box = fc.record({
      x: fc.integer({ min: 0, max: 300 }),
      y: fc.integer({ min: 0, max: 150 }),
      w: fc.integer({ min: 1, max: 60 }),
      h: fc.integer({ min: 1, max: 80 }),
      area: fc.integer({ min: 1, max: 3000 })
    })
    fc.assert(
      fc.property(fc.array(box, { maxLength: 40 }), (boxes) => {
        const pieces: Piece[] = boxes.map((b, i) => ({
          labels: [i + 1],
          box: [b.x, b.y, b.w, b.h],
          area: b.area
        }))
        expect(mergeBrokenStrokes(pieces)).toEqual(referenceMerge(pieces))
      }),
      { seed: 12, numRuns: 300 }
    )
  })

  it('gives the same pieces as the plain rule on rendered scans', async () => {
    const digits = await testDigits(0, 24)
    for (const [seed, perRow, gap] of [
      [1, 6, 10],
      [2, 8, 2],
      [3, 4, 0],
      [4, 12, 6]
    ]) {
      const pieces = piecesOf(renderScan(digits, { seed, perRow, gap, scale: 4, specks: 60 }))
      expect(pieces.length).toBeGreaterThan(10)
      expect(mergeBrokenStrokes(pieces)).toEqual(referenceMerge(pieces))
    }
  })

  it('1,900 dots in 950 broken pairs: each compared with its column only, not with every dot', () => {
    const pieces = piecesOf(dotsPage(1900))
    expect(pieces).toHaveLength(1900)
    const stats: MergeStats = { checks: 0 }
    expect(mergeBrokenStrokes(pieces, stats)).toHaveLength(950)
    // The plain rule rescans all pairs after each of the 950 merges: ~10^9 checks. Here each dot
    // is compared with the few dozen in its column.
    expect(stats.checks).toBeGreaterThan(0)
    expect(stats.checks).toBeLessThan(100_000)
  })

  it('a page of 1,900 dots is segmented (hang guard: well under a minute)', () => {
    const started = performance.now()
    expect(analysePage(dotsPage(1900), 30, false, 'dots.png').pieces).toHaveLength(950)
    expect(performance.now() - started).toBeLessThan(20_000)
  }, 60_000)

  it('a page of 3,000 dots (a few KB as PNG) is refused at once, with the reason', () => {
    const page = dotsPage(3000)
    expect(encodePng(page).length).toBeLessThan(20_000)
    expect(() => analysePage(page, 30, false, 'dots.png')).toThrow(
      'dots.png: over 2,000 separate marks (3,000): is this a photo of a page of text?'
    )
  })
})
