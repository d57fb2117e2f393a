// Issue 16, "Reading a line the way people write it": digits are grouped into lines by chains of
// vertical overlap, so a baseline may wander and slant; a new line starts only where digits stack.
import { beforeAll, describe, expect, it } from 'vitest'
import { analysePage } from '#engine/classify/image/page-pipeline'
import { groupLines, type LineStats } from '#engine/classify/image/lines'
import type { Piece } from '#engine/classify/image/segment'
import { renderScan, type MnistDigit } from '../fixtures/render-scan'
import { testDigits } from '../fixtures/scans'

const piece = (x: number, y: number, w = 20, h = 30): Piece => ({
  labels: [x * 1000 + y],
  box: [x, y, w, h],
  area: w * h
})
const xsOf = (lines: Piece[][]): number[][] => lines.map((l) => l.map((p) => p.box[0]))

/** Where each digit's ink box sits on the page, in reading order, as line/x-cell pairs. */
function layout(page: ReturnType<typeof analysePage>, cellPitch: number, margin = 40): string[] {
  return page.pieces.map(
    (p) => `${p.line}:${Math.floor((p.box[0] + p.box[2] / 2 - margin) / cellPitch)}`
  )
}

describe('grouping digits into lines', () => {
  it('a zigzag baseline (half a digit up and down) is one line, read left to right', () => {
    // The former rule (a piece joins a row when its centre lies within the row's extent) put the
    // low digits (centre 31, row bottom 30) in a second row and read 3579 as 3759.
    const zigzag = [piece(0, 0), piece(25, 16), piece(50, 0), piece(75, 16)]
    expect(xsOf(groupLines(zigzag))).toEqual([[0, 25, 50, 75]])
  })

  it('a line that wanders by more than a digit height stays one line', () => {
    const ys = [0, 14, 28, 42, 28, 14, 0, -14, 0]
    expect(xsOf(groupLines(ys.map((y, k) => piece(k * 25, 100 + y))))).toEqual([
      ys.map((_, k) => k * 25)
    ])
  })

  it('digits stacked above each other start a new line; lines go top to bottom', () => {
    const top = [piece(0, 0), piece(25, 10), piece(50, 20)]
    const bottom = [piece(0, 45), piece(25, 55), piece(50, 65)]
    expect(xsOf(groupLines([...bottom, ...top]))).toEqual([
      [0, 25, 50],
      [0, 25, 50]
    ])
    expect(groupLines([...bottom, ...top])[0]).toEqual(top)
  })

  it('two lines that each slant steeply stay apart and in order', () => {
    // Each line drops 15 px per digit (half a digit), 4 digits: 45 px, more than a digit height.
    const line = (y0: number): Piece[] => [0, 1, 2, 3].map((k) => piece(k * 25, y0 + 15 * k))
    const lines = groupLines([...line(80), ...line(0)])
    expect(lines.map((l) => l.map((p) => p.box[1]))).toEqual([
      [0, 15, 30, 45],
      [80, 95, 110, 125]
    ])
  })

  it('a small mark on the line (a detached dot) joins it; nothing overlapping is no line', () => {
    const lines = groupLines([piece(0, 0), piece(22, 20, 6, 6), piece(30, 2)])
    expect(xsOf(lines)).toEqual([[0, 22, 30]])
    expect(groupLines([])).toEqual([])
  })

  it('a page of 1,000 digits in 25 lines: each compared with its neighbours only', () => {
    const pieces: Piece[] = []
    for (let row = 0; row < 25; row++)
      for (let k = 0; k < 40; k++) pieces.push(piece(k * 25, row * 50 + (k % 3) * 6))
    const stats: LineStats = { checks: 0 }
    const lines = groupLines(pieces, stats)
    expect(lines).toHaveLength(25)
    expect(lines.every((l) => l.length === 40)).toBe(true)
    // Comparing every pair would be ~10^6 checks; each piece looks at a few beside it.
    expect(stats.checks).toBeGreaterThan(0)
    expect(stats.checks).toBeLessThan(20_000)
  })
})

describe('lines on rendered sheets', () => {
  let digits: MnistDigit[]
  const scale = 4
  const pitch = 28 * scale + 10
  beforeAll(async () => {
    digits = await testDigits(30, 16)
  })

  it('a wandering baseline on a scan reads in writing order, on one line', () => {
    // Up and down by ~0.4 of a digit from one digit to the next, ~0.9 of a digit in all.
    const yOffsets = [0, 36, 72, 36, 0, 36, 72, 36]
    const page = analysePage(
      renderScan(digits.slice(0, 8), { seed: 21, scale, yOffsets, specks: 20 }),
      30,
      false
    )
    expect(layout(page, pitch)).toEqual(yOffsets.map((_, k) => `0:${k}`))
  })

  it('a slanted line (2.5 digit heights over the line) is one line', () => {
    const yOffsets = Array.from({ length: 8 }, (_, k) => k * 28)
    const page = analysePage(
      renderScan(digits.slice(0, 8), { seed: 22, scale, yOffsets, specks: 20 }),
      30,
      false
    )
    expect(layout(page, pitch)).toEqual(yOffsets.map((_, k) => `0:${k}`))
  })

  it('two real lines, each wandering, read line by line', () => {
    const wave = [0, 30, 60, 30, 0, 30, 60, 30]
    const page = analysePage(
      renderScan(digits.slice(0, 16), { seed: 23, scale, perRow: 8, yOffsets: [...wave, ...wave] }),
      30,
      false
    )
    expect(layout(page, pitch)).toEqual([
      ...wave.map((_, k) => `0:${k}`),
      ...wave.map((_, k) => `1:${k}`)
    ])
  })
})
