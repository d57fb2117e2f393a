import { EngineError } from '#shared/errors'
import { decodeBmp } from './decode-bmp'
import { decodeGif } from './decode-gif'
import { decodeJpeg } from './decode-jpeg'
import { decodePdf, openPdf } from './decode-pdf'
import { decodePng } from './decode-png'
import { decodeTiff } from './decode-tiff'
import { decodeWebp } from './decode-webp'
import { checkBytes } from './limits'
import { sniffFormat } from './sniff'
import type { DecodedFile, PagedFile } from './types'

/**
 * The one entry point from file bytes to pixels, used by the app's engine, the CLI and the tests.
 * Order of checks: size in bytes, then format from magic bytes (never the file name), then the
 * format decoder, which checks the pixel count from its header before allocating. Every failure is
 * an EngineError whose message starts with the file name.
 */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<DecodedFile> {
  checkBytes(name, bytes.length)
  const sniffed = sniffFormat(bytes)
  if (sniffed.kind === 'other') {
    throw new EngineError(
      'IMAGE_UNSUPPORTED',
      `${name}: ${sniffed.what}, not an image Digit Studio can read (PNG, JPEG, TIFF, BMP, GIF, WebP, PDF)`
    )
  }
  switch (sniffed.format) {
    case 'png':
      return { format: 'png', pages: [decodePng(bytes, name)] }
    case 'jpeg':
      return { format: 'jpeg', pages: [decodeJpeg(bytes, name)] }
    case 'tiff':
      return { format: 'tiff', pages: decodeTiff(bytes, name) }
    case 'gif':
      return { format: 'gif', pages: [decodeGif(bytes, name)] }
    case 'bmp':
      return { format: 'bmp', pages: [decodeBmp(bytes, name)] }
    case 'webp':
      return { format: 'webp', pages: [await decodeWebp(bytes, name)] }
    case 'pdf':
      return { format: 'pdf', pages: await decodePdf(bytes, name) }
  }
}

/**
 * Like decodeImage, but a PDF's pages are decoded one at a time as they are iterated, so a long
 * scan never holds more than one page's pixels. Classification reads files through this.
 */
export async function openImage(bytes: Uint8Array, name: string): Promise<PagedFile> {
  checkBytes(name, bytes.length)
  const sniffed = sniffFormat(bytes)
  if (sniffed.kind === 'image' && sniffed.format === 'pdf')
    return { format: 'pdf', pages: (await openPdf(bytes, name)).pages }
  return decodeImage(bytes, name)
}
