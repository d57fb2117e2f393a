import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** The part of pdf.js the engine uses, loaded on the first PDF only. */
export type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs')

let pdfjsPromise: Promise<PdfJs> | null = null

/**
 * pdf.js is imported on the first PDF, never at engine start: it and the native canvas it pulls
 * in (@napi-rs/canvas, for DOMMatrix, Path2D and rendering) cost ~300 ms and tens of MB that
 * training and other formats never need. The legacy build is the one pdf.js documents for Node:
 * the modern build assumes Node 22 features such as Promise.withResolvers.
 */
export function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs')
  return pdfjsPromise
}

/**
 * Folders pdf.js reads its own data from: the 14 standard fonts (for vector PDFs that write
 * digits as text), CJK character maps, and the wasm decoders for JPEG 2000, JBIG2 and ICC
 * colour. They are plain paths because in Node pdf.js reads them with `fs`.
 */
export function pdfJsDataPaths(): {
  standardFontDataUrl: string
  cMapUrl: string
  wasmUrl: string
} {
  const root = dirname(require.resolve('pdfjs-dist/package.json'))
  return {
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    cMapUrl: join(root, 'cmaps') + '/',
    wasmUrl: join(root, 'wasm') + '/'
  }
}
