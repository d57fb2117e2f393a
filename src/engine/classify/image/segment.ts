import type { Box } from '#shared/protocol/classify'
import { EngineError } from '#shared/errors'
import type { Component } from './components'
import { groupLines } from './lines'

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

/** Counts the work of a merge, so tests can bound it without timing it. */
export interface MergeStats {
  /** Pairs of pieces compared with belongTogether. */
  checks: number
}

/**
 * Pieces by the columns they cover, in buckets `width` px wide. Two pieces that belong together
 * always overlap horizontally (belongTogether needs overlapX > 0), so they share a column and
 * hence a bucket: only pieces in a piece's own buckets need comparing with it.
 */
class ColumnIndex {
  private readonly buckets = new Map<number, Set<number>>()
  private readonly spans = new Map<number, [number, number]>()
  constructor(private readonly width: number) {}

  set(id: number, box: Box): void {
    this.remove(id)
    const span: [number, number] = [
      Math.floor(box[0] / this.width),
      Math.floor((box[0] + box[2] - 1) / this.width)
    ]
    this.spans.set(id, span)
    for (let b = span[0]; b <= span[1]; b++) {
      let bucket = this.buckets.get(b)
      if (!bucket) this.buckets.set(b, (bucket = new Set()))
      bucket.add(id)
    }
  }

  remove(id: number): void {
    const span = this.spans.get(id)
    if (!span) return
    for (let b = span[0]; b <= span[1]; b++) this.buckets.get(b)?.delete(id)
    this.spans.delete(id)
  }

  /** Ids sharing a bucket with `id`, in increasing order (the order the pieces were given in). */
  neighbours(id: number): number[] {
    const span = this.spans.get(id)!
    const found = new Set<number>()
    for (let b = span[0]; b <= span[1]; b++)
      for (const other of this.buckets.get(b) ?? []) if (other !== id) found.add(other)
    return [...found].sort((x, y) => x - y)
  }
}

/**
 * Merges broken strokes until no two pieces belong together. The result is the one the plain
 * rule gives (repeatedly merge the first pair, in list order, that belongs together: the later
 * piece into the earlier one), found without rescanning from the start after every merge, which
 * made a page of a few thousand dots take minutes (RELIABILITY I6): after merging pair (i, j),
 * the only pairs whose answer can have changed involve the new piece i, so only pieces before i
 * are checked against it before the scan goes on from i; and a column index limits every check
 * to the pieces that overlap horizontally.
 */
export function mergeBrokenStrokes(pieces: Piece[], stats?: MergeStats): Piece[] {
  const out: (Piece | null)[] = [...pieces]
  const widths = pieces.map((p) => p.box[2]).sort((a, b) => a - b)
  const index = new ColumnIndex(Math.max(1, widths[widths.length >> 1] ?? 1))
  out.forEach((p, id) => index.set(id, p!.box))
  const first = (i: number, before: boolean): number => {
    for (const k of index.neighbours(i)) {
      if (before ? k >= i : k <= i) continue
      if (stats) stats.checks++
      if (before ? belongTogether(out[k]!, out[i]!) : belongTogether(out[i]!, out[k]!)) return k
    }
    return -1
  }
  const mergeInto = (keep: number, drop: number): void => {
    out[keep] = mergePieces(out[keep]!, out[drop]!)
    out[drop] = null
    index.remove(drop)
    index.set(keep, out[keep]!.box)
  }
  let i = 0
  while (i < out.length) {
    const j = out[i] ? first(i, false) : -1
    if (j < 0) {
      i++
      continue
    }
    mergeInto(i, j)
    for (let a = first(i, true); a >= 0; a = first(i, true)) {
      mergeInto(a, i)
      i = a
    }
  }
  return out.filter((p): p is Piece => p !== null)
}

/**
 * More separate marks than this on one page is not handwritten digits: a photo of printed text, a
 * halftone, noise. Refused with a message rather than segmented (RELIABILITY I6).
 */
const MAX_MARKS = 2000

/** A digit in reading order, with the 0-based line of the page it was read on. */
interface LinedPiece extends Piece {
  line: number
}

/**
 * Components -> digits in reading order: drop specks, merge broken strokes, group into lines
 * (lines.ts), each left to right. `name`
 * (the file, or "file page N") starts the message when a page has over MAX_MARKS marks.
 */
export function segmentDigits(
  components: Component[],
  minSpeckArea: number,
  name = 'page'
): LinedPiece[] {
  const ink = dropSpecks(components, minSpeckArea)
  if (ink.length > MAX_MARKS) {
    throw new EngineError(
      'IMAGE_TOO_LARGE',
      `${name}: over ${MAX_MARKS.toLocaleString('en-US')} separate marks (${ink.length.toLocaleString('en-US')}): is this a photo of a page of text?`
    )
  }
  return groupLines(mergeBrokenStrokes(ink.map(toPiece))).flatMap((pieces, line) =>
    pieces.map((p) => ({ ...p, line }))
  )
}
