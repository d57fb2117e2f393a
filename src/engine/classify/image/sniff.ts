import type { ImageFormat } from './types'

/** What the first bytes say a file is: an image format we read, another known format, or text. */
type Sniffed = { kind: 'image'; format: ImageFormat } | { kind: 'other'; what: string }

const startsWith = (b: Uint8Array, sig: number[], at = 0): boolean =>
  sig.every((x, i) => b[at + i] === x)
const ascii = (b: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...b.subarray(from, to))

/**
 * Identifies the format from magic bytes, never from the file name: a text file renamed `.png`
 * must be reported as text, and a PNG saved as `.jpg` must still be read.
 */
export function sniffFormat(b: Uint8Array): Sniffed {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { kind: 'image', format: 'png' }
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' }
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]))
    return { kind: 'image', format: 'tiff' }
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')
    return { kind: 'image', format: 'gif' }
  if (ascii(b, 0, 2) === 'BM' && b.length >= 26) return { kind: 'image', format: 'bmp' }
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP')
    return { kind: 'image', format: 'webp' }
  // PDF readers accept the header anywhere in the first 1024 bytes; files always start with it in practice.
  if (ascii(b, 0, 5) === '%PDF-') return { kind: 'image', format: 'pdf' }
  if (startsWith(b, [0x49, 0x49, 0x2b, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2b]))
    return { kind: 'other', what: 'a BigTIFF file' }
  if (ascii(b, 4, 8) === 'ftyp') return { kind: 'other', what: 'an HEIF/AVIF/MP4 file' }
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'other', what: 'a ZIP archive' }
  if (/^\s*<(\?xml|svg)/i.test(ascii(b, 0, Math.min(b.length, 64))))
    return { kind: 'other', what: 'an SVG/XML file' }
  if (looksLikeText(b)) return { kind: 'other', what: 'a text file' }
  return { kind: 'other', what: 'not an image (its first bytes match no known format)' }
}

/** Printable ASCII/UTF-8 in the first 512 bytes, no NULs: text, not a damaged image. */
function looksLikeText(b: Uint8Array): boolean {
  const head = b.subarray(0, 512)
  let printable = 0
  for (const c of head) {
    if (c === 0) return false
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++
  }
  return printable === head.length
}
