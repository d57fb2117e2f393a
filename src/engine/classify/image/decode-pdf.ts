/**
 * PDF input (scans saved as PDF, pages from handwriting apps) through Mozilla's pdf.js: every page
 * becomes one RGBA page, decoded only when the caller asks for it, so a 50-page scan holds one
 * page in memory at a time. Hostile files: no scripts (pdf.js runs none without its sandbox, and
 * eval-compiled font code is off), a page-count cap, a pixel cap before any image is decoded or
 * canvas made, and a time budget for the whole file.
 */
import type { PDFDocumentLoadingTask, PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { EngineError } from '#shared/errors'
import { CLASSIFY_LIMITS } from '#shared/protocol/classify'
import { loadPdfJs, pdfJsDataPaths } from './pdf-loader'
import { pagePixels } from './pdf-page-image'
import type { RgbaImage } from './types'

/** Whole-file budget: 50 pages rendered at 200 dpi take ~15 s on a slow laptop core. */
const PDF_TIME_LIMIT_MS = 60_000

/** A PDF opened for reading: its page count, and its pages decoded one by one as iterated. */
interface PdfPages {
  pageCount: number
  pages: AsyncIterable<RgbaImage>
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** pdf.js's open errors, named by their class, as the engine's coded errors. */
function openError(err: unknown, name: string): EngineError {
  const kind = err instanceof Error ? err.name : ''
  if (kind === 'PasswordException')
    return new EngineError(
      'IMAGE_UNSUPPORTED',
      `${name}: encrypted PDF: it needs a password to open; save or print an unprotected copy and add that`
    )
  return new EngineError(
    'IMAGE_INVALID',
    `${name}: damaged PDF, could not be read (${reason(err)})`
  )
}

/** A failure while reading one page, as a coded error naming the file and page. */
function pageError(err: unknown, label: string): EngineError {
  if (err instanceof EngineError) return err
  return new EngineError('IMAGE_INVALID', `${label}: damaged PDF page (${reason(err)})`)
}

/** Resolves `work`, or stops the whole file with a clear error once the file's budget is spent. */
async function withinBudget<T>(
  work: Promise<T>,
  deadline: { at: number; ms: number },
  label: string
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EngineError(
            'IMAGE_TOO_LARGE',
            `${label}: reading the PDF took over ${deadline.ms / 1000} s, the limit for one file`
          )
        ),
      Math.max(0, deadline.at - Date.now())
    )
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}

async function* readPages(
  task: PDFDocumentLoadingTask,
  pdf: PDFDocumentProxy,
  name: string,
  deadline: { at: number; ms: number }
): AsyncGenerator<RgbaImage> {
  const pdfjs = await loadPdfJs()
  try {
    for (let n = 1; n <= pdf.numPages; n++) {
      const label = `${name} page ${n}`
      const page = await withinBudget(pdf.getPage(n), deadline, label).catch((err: unknown) => {
        throw pageError(err, label)
      })
      let pixels: RgbaImage
      try {
        pixels = await withinBudget(pagePixels(pdfjs, page, label), deadline, label)
      } catch (err) {
        throw pageError(err, label)
      } finally {
        // Frees the page's decoded images and fonts before the next page is read.
        page.cleanup()
      }
      yield pixels
    }
  } finally {
    await task.destroy()
  }
}

/**
 * Opens a PDF and checks its page count; pages are decoded when `pages` is iterated, and the
 * document is closed when iteration ends, fails or is abandoned. Every error names the file, and
 * the page when one page is at fault.
 */
export async function openPdf(
  bytes: Uint8Array,
  name: string,
  timeLimitMs = PDF_TIME_LIMIT_MS
): Promise<PdfPages> {
  const deadline = { at: Date.now() + timeLimitMs, ms: timeLimitMs }
  const pdfjs = await loadPdfJs()
  const task = pdfjs.getDocument({
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    data: bytes.slice(),
    ...pdfJsDataPaths(),
    cMapPacked: true,
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    // pdf.js drops an image over the pixel cap before its pixels are allocated (the page then
    // reads as blank: pdf.js reports the drop only as a console warning, even with stopAtErrors).
    maxImageSize: CLASSIFY_LIMITS.maxPixels,
    verbosity: pdfjs.VerbosityLevel.ERRORS
  })
  let pdf: PDFDocumentProxy
  try {
    pdf = await withinBudget(task.promise, deadline, name)
  } catch (err) {
    await task.destroy()
    throw err instanceof EngineError ? err : openError(err, name)
  }
  if (pdf.numPages > CLASSIFY_LIMITS.maxPages) {
    await task.destroy()
    throw new EngineError(
      'IMAGE_TOO_LARGE',
      `${name}: PDF has ${pdf.numPages} pages, over the limit of ${CLASSIFY_LIMITS.maxPages}`
    )
  }
  return { pageCount: pdf.numPages, pages: readPages(task, pdf, name, deadline) }
}
