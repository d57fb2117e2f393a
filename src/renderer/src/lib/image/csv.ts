/**
 * The results table as CSV (RFC 4180: comma-separated, quotes doubled, CRLF line ends), one row per
 * file: the digit string, per-digit labels and confidences, the low-confidence count, or the error.
 */
import type { FileResult } from '#shared/protocol/classify'

const CSV_HEADER = ['file', 'status', 'digits', 'confidences', 'low_confidence', 'error'] as const

function cell(value: string | number): string {
  const s = String(value)
  // A leading = + - @ would be run as a formula by spreadsheet apps (CSV injection): prefix a quote.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** CSV text for the results, header first. */
export function resultsToCsv(results: readonly FileResult[]): string {
  const rows = results.map((r) => {
    if (!r.ok) return [r.name, 'error', '', '', '', `${r.error.code}: ${r.error.message}`]
    const preds = r.pages.flatMap((p) => p.predictions)
    return [
      r.name,
      'ok',
      r.digits,
      preds.map((p) => p.confidence.toFixed(3)).join(' '),
      preds.filter((p) => p.lowConfidence).length,
      ''
    ]
  })
  return [[...CSV_HEADER], ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}
