import { beforeAll, describe, expect, it } from 'vitest'
import { labelComponents } from '#engine/classify/image/components'
import { groupLines } from '#engine/classify/image/lines'
import { analysePage } from '#engine/classify/image/page-pipeline'
import {
  belongTogether,
  dropSpecks,
  mergeBrokenStrokes,
  segmentDigits,
  type Piece
} from '#engine/classify/image/segment'
import type { GrayImage } from '#engine/classify/image/types'
import { renderScan, type MnistDigit } from '../fixtures/render-scan'
import { testDigits } from '../fixtures/scans'

const maskOf = (rows: string[]): GrayImage => ({
  width: rows[0].length,
  height: rows.length,
  data: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0))
})
const piece = (x: number, y: number, w: number, h: number): Piece => ({
  labels: [x * 1000 + y],
  box: [x, y, w, h],
  area: w * h
})

describe('connected components', () => {
  it('labels 8-connected blobs with their area and box', () => {
    const { components, labels } = labelComponents(maskOf(['#..##', '.#..#', '.....', '##...']))
    expect(components).toHaveLength(3)
    expect(components.map((c) => c.area).sort()).toEqual([2, 2, 3])
    const diag = components.find((c) => c.x0 === 0 && c.y0 === 0)!
    expect([diag.x1, diag.y1]).toEqual([1, 1])
    expect(labels[0]).toBe(labels[6])
  })

  it('a U shape whose arms join late is one component (union-find merges labels)', () => {
    const { components } = labelComponents(maskOf(['#...#', '#...#', '#####']))
    expect(components).toHaveLength(1)
    expect(components[0].area).toBe(9)
  })
})

describe('segmentation', () => {
  it('drops specks below the user floor and below 2 % of the largest component', () => {
    const comps = [
      { label: 1, area: 1000, x0: 0, y0: 0, x1: 30, y1: 40 },
      { label: 2, area: 15, x0: 50, y0: 0, x1: 53, y1: 3 },
      { label: 3, area: 40, x0: 60, y0: 0, x1: 66, y1: 6 },
      { label: 4, area: 200, x0: 80, y0: 0, x1: 90, y1: 40 }
    ]
    expect(dropSpecks(comps, 30).map((c) => c.label)).toEqual([1, 3, 4])
    expect(dropSpecks(comps, 100).map((c) => c.label)).toEqual([1, 4])
    expect(dropSpecks(comps, 0).map((c) => c.label)).toEqual([1, 3, 4])
  })

  it('merges broken strokes that overlap horizontally, not neighbours or rows', () => {
    const bar = piece(10, 0, 20, 4) // a 5's detached top bar
    const body = piece(8, 6, 22, 30)
    expect(belongTogether(bar, body)).toBe(true)
    expect(belongTogether(body, piece(40, 6, 20, 30))).toBe(false) // next digit
    expect(belongTogether(body, piece(8, 60, 22, 30))).toBe(false) // next row
    expect(mergeBrokenStrokes([bar, body, piece(40, 6, 20, 30)])).toHaveLength(2)
    // A 5's bar drawn off to the right: a fragment that overlaps the body only a little.
    const offBar = { ...piece(26, 0, 14, 5), area: 50 }
    expect(belongTogether(offBar, { ...body, area: 400 })).toBe(true)
    // A "1" beside an "8" is not a fragment: as tall, and not overlapping.
    expect(belongTogether({ ...piece(32, 6, 6, 30), area: 120 }, { ...body, area: 400 })).toBe(
      false
    )
  })

  it('reads rows top to bottom, each left to right, even when slanted', () => {
    const pieces = [
      piece(100, 52, 20, 30),
      piece(0, 0, 20, 30),
      piece(50, 4, 20, 30),
      piece(0, 50, 20, 30),
      piece(100, 8, 20, 30)
    ]
    const rows = groupLines(pieces)
    expect(rows.map((r) => r.map((p) => p.box[0]))).toEqual([
      [0, 50, 100],
      [0, 100]
    ])
    expect(segmentDigits([], 30)).toEqual([])
  })
})

describe('page pipeline on rendered scans', () => {
  let digits: MnistDigit[]
  beforeAll(async () => {
    digits = await testDigits(20, 8)
  })

  it('finds every digit of a two-row page in reading order, ignoring dust', () => {
    const page = renderScan(digits, { perRow: 4, seed: 5, scale: 4, specks: 40 })
    const analysis = analysePage(page, 30, true)
    expect(analysis.inverted).toBe(true)
    expect(analysis.pieces).toHaveLength(8)
    const cell = 28 * 4
    // Each box lies inside its own cell: column k % 4, row k / 4.
    analysis.pieces.forEach((p, k) => {
      const cx = p.box[0] + p.box[2] / 2
      const cy = p.box[1] + p.box[3] / 2
      expect(Math.floor((cx - 40) / (cell + 10))).toBe(k % 4)
      expect(Math.floor((cy - 40) / (cell + 30))).toBe(Math.floor(k / 4))
      expect(p.input.width).toBe(28)
    })
    expect(analysis.thumbnail?.channels).toBe(4)
    expect(analysis.mask?.width).toBe(analysis.thumbnail?.width)
  })

  it('a larger speck floor removes more; a blank page has no pieces', () => {
    const page = renderScan(digits.slice(0, 2), { seed: 6, scale: 4, specks: 0 })
    expect(analysePage(page, 30, false).pieces).toHaveLength(2)
    expect(analysePage(page, 1_000_000, false).pieces).toHaveLength(0)
    // Dust alone is found as ink but dropped as specks; clean paper has no ink at all.
    expect(
      analysePage(renderScan([], { seed: 7, margin: 100, specks: 30 }), 30, false).pieces
    ).toEqual([])
    expect(
      analysePage(renderScan([], { seed: 7, margin: 100, specks: 0 }), 30, false)
    ).toMatchObject({ threshold: null, pieces: [] })
  })
})
