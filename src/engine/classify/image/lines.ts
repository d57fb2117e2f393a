import type { Piece } from './segment'

/**
 * Two neighbours on one line share at least this fraction of the shorter one's height. A line
 * whose baseline wanders by a digit's height over several digits still moves by well under half a
 * digit from one digit to the next, while digits of two lines written one above the other do not
 * overlap vertically at all (a reader needs the gap to tell the lines apart too).
 */
const LINE_OVERLAP_FRACTION = 0.4

/** Counts the work of grouping, so tests can bound it without timing it. */
export interface LineStats {
  /** Pairs of pieces compared as possible neighbours. */
  checks: number
}

const centreX = (p: Piece): number => p.box[0] + p.box[2] / 2
const centreY = (p: Piece): number => p.box[1] + p.box[3] / 2

/** How much of the shorter piece's height the two pieces share vertically (0 to 1). */
function verticalOverlap(a: Piece, b: Piece): number {
  const top = Math.max(a.box[1], b.box[1])
  const bottom = Math.min(a.box[1] + a.box[3], b.box[1] + b.box[3])
  return Math.max(0, bottom - top) / Math.max(1, Math.min(a.box[3], b.box[3]))
}

/** Horizontal gap between two pieces (0 when they overlap horizontally). */
function gapX(a: Piece, b: Piece): number {
  return Math.max(
    0,
    Math.max(a.box[0], b.box[0]) - Math.min(a.box[0] + a.box[2], b.box[0] + b.box[2])
  )
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) i = parent[i] = parent[parent[i]]
  return i
}

interface Band {
  /** Piece indices, sorted by centre x. */
  members: number[]
  /** The widest member, which bounds how near a later member can start. */
  maxWidth: number
}

/**
 * Pieces by the horizontal bands of the page they cover, each band as tall as a typical piece.
 * Two pieces that overlap vertically share a band, so a piece only looks for its neighbours among
 * the pieces of its own bands: grouping a page stays near-linear in its number of marks. Returns,
 * per piece, its bands and where it sits in each.
 */
function bandsOf(pieces: Piece[], order: number[]): [Band, number][][] {
  const heights = pieces.map((p) => p.box[3]).sort((a, b) => a - b)
  const bandHeight = Math.max(1, heights[heights.length >> 1] ?? 1)
  const byKey = new Map<number, Band>()
  const at: [Band, number][][] = pieces.map(() => [])
  // Pieces enter their bands in left-to-right order, so every band is sorted by centre.
  for (const i of order) {
    const [, y, w, h] = pieces[i].box
    for (let key = Math.floor(y / bandHeight); key <= Math.floor((y + h - 1) / bandHeight); key++) {
      let band = byKey.get(key)
      if (!band) byKey.set(key, (band = { members: [], maxWidth: 0 }))
      at[i].push([band, band.members.length])
      band.members.push(i)
      band.maxWidth = Math.max(band.maxWidth, w)
    }
  }
  return at
}

/**
 * The nearest piece on one side of piece `i` (dir +1 right, -1 left) that overlaps it vertically
 * enough to be on its line, or -1. Walks the piece's bands outward from it and stops once no
 * further piece can be nearer than the best so far.
 */
function nearestOnLine(
  pieces: Piece[],
  i: number,
  at: [Band, number][],
  dir: 1 | -1,
  stats?: LineStats
): number {
  const a = pieces[i]
  let best = -1
  let bestGap = Infinity
  for (const [band, pos] of at) {
    for (let m = pos + dir; m >= 0 && m < band.members.length; m += dir) {
      const b = pieces[band.members[m]]
      // Every further piece's near edge is at least this far off, as centres only move away.
      const bound =
        dir > 0
          ? centreX(b) - band.maxWidth / 2 - (a.box[0] + a.box[2])
          : a.box[0] - (centreX(b) + band.maxWidth / 2)
      if (bound > bestGap) break
      if (stats) stats.checks++
      if (verticalOverlap(a, b) < LINE_OVERLAP_FRACTION) continue
      const gap = gapX(a, b)
      if (gap < bestGap) [best, bestGap] = [band.members[m], gap]
    }
  }
  return best
}

/**
 * Reading order the way people write: each piece is linked to its nearest neighbour on the left
 * and on the right among the pieces that overlap it vertically (LINE_OVERLAP_FRACTION), and lines
 * are the chains these links make, so a baseline may wander and slant as long as neighbours
 * overlap. A new line starts only where digits stack above each other. Lines go top to bottom by
 * the median of their pieces' centres, each left to right.
 */
export function groupLines(pieces: Piece[], stats?: LineStats): Piece[][] {
  const order = pieces.map((_, i) => i).sort((a, b) => centreX(pieces[a]) - centreX(pieces[b]))
  const at = bandsOf(pieces, order)
  const parent = Int32Array.from(pieces, (_, i) => i)
  for (let i = 0; i < pieces.length; i++) {
    for (const dir of [1, -1] as const) {
      const j = nearestOnLine(pieces, i, at[i], dir, stats)
      if (j >= 0) parent[find(parent, i)] = find(parent, j)
    }
  }
  const lines = new Map<number, Piece[]>()
  for (const i of order) {
    const root = find(parent, i)
    let line = lines.get(root)
    if (!line) lines.set(root, (line = []))
    line.push(pieces[i])
  }
  const median = (line: Piece[]): number => {
    const ys = line.map(centreY).sort((a, b) => a - b)
    const mid = ys.length >> 1
    return ys.length % 2 ? ys[mid] : (ys[mid - 1] + ys[mid]) / 2
  }
  return [...lines.values()]
    .map((line) => ({ line, y: median(line) }))
    .sort((a, b) => a.y - b.y)
    .map((l) => l.line)
}
