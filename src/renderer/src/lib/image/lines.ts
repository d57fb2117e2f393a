import type { DigitPrediction } from '#shared/protocol/classify'

/** One line of a page as the engine grouped it: its digits in reading order. */
interface PageLine {
  /** 0-based, top to bottom. */
  line: number
  /** Indices into the page's predictions, left to right. */
  indices: number[]
  /** "x,y x,y ..." through the digits' box centres, for an SVG polyline. */
  points: string
}

/**
 * The page's lines, from each prediction's `line` (the engine sends predictions in reading order,
 * so a line's digits are already left to right).
 */
export function pageLines(predictions: DigitPrediction[]): PageLine[] {
  const lines: PageLine[] = []
  predictions.forEach((p, i) => {
    let line = lines.find((l) => l.line === p.line)
    if (!line) lines.push((line = { line: p.line, indices: [], points: '' }))
    line.indices.push(i)
  })
  for (const l of lines) {
    l.points = l.indices
      .map((i) => {
        const [x, y, w, h] = predictions[i].box
        return `${x + w / 2},${y + h / 2}`
      })
      .join(' ')
  }
  return lines.sort((a, b) => a.line - b.line)
}
