import type { Box } from '#shared/protocol/classify'
import type { Component } from './components'

/** One digit to classify: the components it is made of and their joint bounding box. */
export interface Piece {
  labels: number[]
  box: Box
  area: number
}

/**
 * Components smaller than either floor are noise: the user's `minSpeckArea` (pixels), or 2 % of
 * the largest component, so scanner dust that happens to be bigger than the floor on a 600 dpi
 * scan still goes while the smallest real stroke fragments (a 5's detached bar, ~10 %) stay.
 */
const RELATIVE_SPECK_FRACTION = 0.02

/** Drops specks, returning the components that are ink. */
export function dropSpecks(components: Component[], minSpeckArea: number): Component[] {
  const largest = components.reduce((m, c) => Math.max(m, c.area), 0)
  const floor = Math.max(minSpeckArea, largest * RELATIVE_SPECK_FRACTION)
  return components.filter((c) => c.area >= floor)
}

const toPiece = (c: Component): Piece => ({
  labels: [c.label],
  box: [c.x0, c.y0, c.x1 - c.x0 + 1, c.y1 - c.y0 + 1],
  area: c.area
})

function mergePieces(a: Piece, b: Piece): Piece {
  const x0 = Math.min(a.box[0], b.box[0])
  const y0 = Math.min(a.box[1], b.box[1])
  const x1 = Math.max(a.box[0] + a.box[2], b.box[0] + b.box[2])
  const y1 = Math.max(a.box[1] + a.box[3], b.box[1] + b.box[3])
  return {
    labels: [...a.labels, ...b.labels],
    box: [x0, y0, x1 - x0, y1 - y0],
    area: a.area + b.area
  }
}

/**
 * Whether two pieces are one digit drawn in broken strokes (a 4 or 5 written in two strokes, a
 * pen that skipped): the vertical gap between them is small next to the taller one, and either
 * they overlap horizontally by half the narrower one, or the smaller is a fragment (under half the
 * other's height and a third of its ink, like a 5's detached bar) that overlaps it at all.
 * Digits side by side don't overlap that much; digits in two rows are separated by more than a
 * quarter of a digit's height.
 */
export function belongTogether(a: Piece, b: Piece): boolean {
  const [ax, ay, aw, ah] = a.box
  const [bx, by, bw, bh] = b.box
  const gapY = Math.max(0, Math.max(ay, by) - Math.min(ay + ah, by + bh))
  if (gapY > 0.25 * Math.max(ah, bh)) return false
  const overlapX = Math.min(ax + aw, bx + bw) - Math.max(ax, bx)
  if (overlapX >= 0.5 * Math.min(aw, bw)) return true
  const [small, big] = a.area < b.area ? [a, b] : [b, a]
  const fragment = small.box[3] < 0.5 * big.box[3] && small.area < big.area / 3
  return fragment && overlapX > 0
}

/** Merges broken strokes until no two pieces belong together. */
export function mergeBrokenStrokes(pieces: Piece[]): Piece[] {
  const out = [...pieces]
  let merged = true
  while (merged) {
    merged = false
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (belongTogether(out[i], out[j])) {
          out[i] = mergePieces(out[i], out[j])
          out.splice(j, 1)
          merged = true
          break outer
        }
      }
    }
  }
  return out
}

/**
 * Reading order: pieces are grouped into rows (a piece joins a row when its vertical centre lies
 * within the row's extent), rows go top to bottom and each row left to right.
 */
export function readingOrder(pieces: Piece[]): Piece[][] {
  const byCentre = [...pieces].sort((a, b) => a.box[1] + a.box[3] / 2 - (b.box[1] + b.box[3] / 2))
  const rows: { top: number; bottom: number; pieces: Piece[] }[] = []
  for (const p of byCentre) {
    const cy = p.box[1] + p.box[3] / 2
    const row = rows.find((r) => cy >= r.top && cy <= r.bottom)
    if (row) {
      row.pieces.push(p)
      row.top = Math.min(row.top, p.box[1])
      row.bottom = Math.max(row.bottom, p.box[1] + p.box[3])
    } else rows.push({ top: p.box[1], bottom: p.box[1] + p.box[3], pieces: [p] })
  }
  rows.sort((a, b) => a.top - b.top)
  return rows.map((r) => r.pieces.sort((a, b) => a.box[0] - b.box[0]))
}

/** Components -> digits in reading order: drop specks, merge broken strokes, order by rows. */
export function segmentDigits(components: Component[], minSpeckArea: number): Piece[] {
  const ink = dropSpecks(components, minSpeckArea)
  return readingOrder(mergeBrokenStrokes(ink.map(toPiece))).flat()
}
