import { describe, expect, it } from 'vitest'
import {
  dilate,
  massInside,
  randomInkPixels,
  spearman,
  topInkPixels
} from '../fixtures/saliency-stats'

// The statistics the saliency sanity checks rest on, against values worked out by hand.

const all = (n: number): boolean[] => new Array<boolean>(n).fill(true)

describe('saliency statistics', () => {
  it('Spearman: 1 for any increasing relation, -1 reversed, ties get average ranks', () => {
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16], all(4))).toBeCloseTo(1, 12)
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1], all(4))).toBeCloseTo(-1, 12)
    // x = 1,2,3,4 vs y = 1,1,2,2: ranks 1.5,1.5,3.5,3.5 -> rho = 0.894...
    expect(spearman([1, 2, 3, 4], [1, 1, 2, 2], all(4))).toBeCloseTo(2 / Math.sqrt(5), 12)
    // Only the included pixels count: the outlier at index 4 is left out.
    expect(spearman([1, 2, 3, 4, 0], [1, 2, 3, 4, 9], [true, true, true, true, false])).toBe(1)
    expect(spearman([1, 1, 1], [1, 2, 3], all(3))).toBe(0)
  })

  it('dilation grows a pixel into a (2r+1) square, clipped at the border', () => {
    const mask = new Array<boolean>(784).fill(false)
    mask[14 * 28 + 14] = true
    mask[0] = true
    const grown = dilate(mask, 2)
    expect(grown.filter(Boolean)).toHaveLength(25 + 9)
    expect(grown[12 * 28 + 16]).toBe(true)
    expect(grown[11 * 28 + 14]).toBe(false)
  })

  it('mass inside a mask, top pixels by |value|, seeded random pixels', () => {
    expect(massInside([1, -3, 0, 4], [true, true, false, false])).toBeCloseTo(0.5, 12)
    const ink = [true, false, true, true, true]
    expect(topInkPixels([0.1, 9, -5, 0.2, 3], ink, 0.5)).toEqual([2, 4])
    const pick = randomInkPixels(ink, 2, 7)
    expect(pick).toEqual(randomInkPixels(ink, 2, 7))
    expect(pick.every((p) => ink[p])).toBe(true)
    expect(new Set(pick).size).toBe(2)
  })
})
