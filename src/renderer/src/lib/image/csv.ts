/**
 * The results table as CSV (RFC 4180: comma-separated, quotes doubled, CRLF line ends), one row per
 * page (a PDF or TIFF of 30 worksheets gives 30 rows, numbered from 1; an image is page 1): the
 * digit string, per-digit labels and confidences, the low-confidence count, or the file's error.
 * Digits the user corrected are in the digit string as corrected, and `corrected` lists their
 * 1-based positions on the page, so a reader of the file can tell the model's digits from theirs.
 */
import type { FileResult } from '#shared/protocol/classify'
import { applyCorrections, changedPositions, type Corrections } from '../state/corrections'

const CSV_HEADER = [
  'file',
  'page',
  'status',
  'digits',
  'confidences',
  'low_confidence',
  'error',
  'corrected'
] as const

function cell(value: string | number): string {
  const s = String(value)
  // A leading = + - @ would be run as a formula by spreadsheet apps (CSV injection): prefix a quote.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** CSV text for the results, header first. */
export function resultsToCsv(
  results: readonly FileResult[],
  corrections: Corrections = new Map()
): string {
  const read = applyCorrections(results, corrections)
  const rows = read.flatMap((r, file) => {
    if (!r.ok) return [[r.name, '', 'error', '', '', '', `${r.error.code}: ${r.error.message}`, '']]
    return r.pages.map((p, page) => [
      r.name,
      p.page + 1,
      'ok',
      p.digits,
      p.predictions.map((d) => d.confidence.toFixed(3)).join(' '),
      p.predictions.filter((d) => d.lowConfidence).length,
      '',
      changedPositions(results[file], file, page, corrections).join(' ')
    ])
  })
  return [[...CSV_HEADER], ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}
