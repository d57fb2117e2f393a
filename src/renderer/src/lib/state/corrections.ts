/**
 * The user's corrections of digits the engine read (issue 16): which digit, and what it really is.
 * The engine's answer is kept as it came; the corrected reading is derived from it, so a correction
 * can be undone and the model's own guess is still there to show beside it.
 */
import type { FileResult } from '#shared/protocol/classify'

/** A digit on a page of a file: file index in the results, 0-based page, index in the page. */
export interface DigitRef {
  file: number
  page: number
  digit: number
}

/** Corrected (or confirmed) labels by digit; a confirmation is the model's own label. */
export type Corrections = ReadonlyMap<string, number>

/** The map key of a digit. */
export const correctionKey = (d: DigitRef): string => `${d.file}/${d.page}/${d.digit}`

/**
 * The results as the user reads them: every corrected digit's label replaced, and each page's and
 * file's digit string rebuilt from the labels (pages joined by a space, as the engine does).
 */
export function applyCorrections(
  results: readonly FileResult[],
  corrections: Corrections
): FileResult[] {
  if (corrections.size === 0) return [...results]
  return results.map((r, file) => {
    if (!r.ok) return r
    const pages = r.pages.map((p, pageIndex) => {
      const predictions = p.predictions.map((d, digit) => {
        const label = corrections.get(correctionKey({ file, page: pageIndex, digit }))
        return label === undefined || label === d.label ? d : { ...d, label }
      })
      return { ...p, predictions, digits: predictions.map((d) => d.label).join('') }
    })
    const digits = pages
      .map((p) => p.digits)
      .filter(Boolean)
      .join(' ')
    return { ...r, pages, digits }
  })
}

/** 1-based positions of the page's digits whose label the user changed (for the CSV). */
export function changedPositions(
  original: FileResult,
  file: number,
  page: number,
  corrections: Corrections
): number[] {
  if (!original.ok) return []
  return original.pages[page].predictions.flatMap((d, digit) => {
    const label = corrections.get(correctionKey({ file, page, digit }))
    return label !== undefined && label !== d.label ? [digit + 1] : []
  })
}
