import { EngineError } from '#shared/errors'
import { decodeBmp } from './decode-bmp'
import { decodeGif } from './decode-gif'
import { decodeJpeg } from './decode-jpeg'
import { openPdf } from './decode-pdf'
import { decodePng } from './decode-png'
import { openTiff } from './decode-tiff'
import { decodeWebp } from './decode-webp'
import { checkBytes } from './limits'
import { sniffFormat } from './sniff'
import type { DecodedFile, ImageFormat, RgbaImage } from './types'

/** A file whose header has been read and checked; its pages are decoded one at a time. */
export interface OpenedImage {
  format: ImageFormat
  pageCount: number
  /** Decodes page `index`; the caller drops each page before asking for the next (RELIABILITY I7). */
  decodePage(index: number): Promise<RgbaImage>
  /** Frees what the open file holds (a PDF document) when reading stops early. */
  close?(): Promise<void>
}

const single = (
  format: ImageFormat,
  decode: () => RgbaImage | Promise<RgbaImage>
): OpenedImage => ({
  format,
  pageCount: 1,
  decodePage: async () => decode()
})

/**
 * From file bytes to a decoder ready to hand out pages. Order of checks: size in bytes, then
 * format from magic bytes (never the file name), then the format's header (a TIFF's directories
 * and every page's size); the pixels themselves are decoded by `decodePage`, which checks the
 * pixel count from the header before allocating. Every failure is an EngineError whose message
 * starts with the file name.
 */
export function openImage(bytes: Uint8Array, name: string): OpenedImage {
  checkBytes(name, bytes.length)
  const sniffed = sniffFormat(bytes)
  if (sniffed.kind === 'other') {
    throw new EngineError(
      'IMAGE_UNSUPPORTED',
      `${name}: ${sniffed.what}; Digit Studio reads PNG, JPEG, TIFF, BMP, GIF, WebP and PDF`
    )
  }
  switch (sniffed.format) {
    case 'png':
      return single('png', () => decodePng(bytes, name))
    case 'jpeg':
      return single('jpeg', () => decodeJpeg(bytes, name))
    case 'tiff':
      return { format: 'tiff', ...openTiff(bytes, name) }
    case 'gif':
      return single('gif', () => decodeGif(bytes, name))
    case 'bmp':
      return single('bmp', () => decodeBmp(bytes, name))
    case 'webp':
      return single('webp', () => decodeWebp(bytes, name))
    case 'pdf':
      // pdf.js opens a document asynchronously: PDFs go through openFile.
      throw new EngineError('INTERNAL', `${name}: a PDF must be opened with openFile`)
  }
}

/**
 * Opens any supported file, PDFs included: the decode thread's entry (RELIABILITY I6). A PDF's
 * pages come from pdf.js's iterator in order, one page decoded per request, so a long scan holds
 * one page's pixels at a time (RELIABILITY I7).
 */
export async function openFile(bytes: Uint8Array, name: string): Promise<OpenedImage> {
  checkBytes(name, bytes.length)
  const sniffed = sniffFormat(bytes)
  if (sniffed.kind !== 'image' || sniffed.format !== 'pdf') return openImage(bytes, name)
  const pdf = await openPdf(bytes, name)
  const pages = pdf.pages[Symbol.asyncIterator]()
  let next = 0
  return {
    format: 'pdf',
    pageCount: pdf.pageCount,
    async decodePage(index) {
      // pdf.js's pages are read in order; the decode pool asks for them exactly so.
      if (index !== next) throw new EngineError('INTERNAL', `${name}: PDF pages are read in order`)
      next++
      const page = await pages.next()
      if (page.done) throw new EngineError('IMAGE_INVALID', `${name}: page ${index + 1} is missing`)
      return page.value
    },
    async close() {
      await pages.return?.()
    }
  }
}

/**
 * Every page of a file at once, on the calling thread, without a time limit: for tests and
 * fixtures. The engine decodes users' files through decode-pool.ts instead (RELIABILITY I6).
 */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<DecodedFile> {
  const opened = await openFile(bytes, name)
  const pages: RgbaImage[] = []
  for (let i = 0; i < opened.pageCount; i++) pages.push(await opened.decodePage(i))
  await opened.close?.()
  return { format: opened.format, pages }
}
