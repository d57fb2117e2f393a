import * as UTIFModule from 'utif2'
import { EngineError } from '#shared/errors'
import { CLASSIFY_LIMITS } from '#shared/protocol/classify'
import { checkDimensions } from './limits'
import { applyOrientation } from './orientation'
import type { RgbaImage } from './types'

// utif2 is CommonJS that assigns its functions at run time, so Node's ESM loader only sees `default`.
const UTIF = ((UTIFModule as unknown as { default?: typeof UTIFModule }).default ??
  UTIFModule) as typeof UTIFModule

type Ifd = UTIFModule.IFD
const tag = (ifd: Ifd, id: number): number | undefined => {
  const v = ifd[`t${id}`] as number[] | undefined
  return Array.isArray(v) ? Number(v[0]) : undefined
}

const PHOTOMETRIC_CMYK = 5

/**
 * utif2's own CMYK branch reads a browser global (`window.UDOC`) and throws in Node, so 8-bit CMYK
 * (what prepress scans use) is converted here with the same naive formula it falls back to.
 */
function cmykToRgba(ifd: Ifd, label: string): Uint8Array {
  const samples = tag(ifd, 277) ?? 4
  if ((tag(ifd, 258) ?? 8) !== 8 || samples < 4)
    throw new EngineError('IMAGE_UNSUPPORTED', `${label}: only 8-bit CMYK TIFF is supported`)
  const area = ifd.width * ifd.height
  const src = ifd.data
  if (src.length < area * samples)
    throw new EngineError('IMAGE_INVALID', `${label}: TIFF page is truncated`)
  const out = new Uint8Array(area * 4)
  for (let i = 0; i < area; i++) {
    const s = i * samples
    const k = (255 - src[s + 3]) / 255
    out[i * 4] = Math.round((255 - src[s]) * k)
    out[i * 4 + 1] = Math.round((255 - src[s + 1]) * k)
    out[i * 4 + 2] = Math.round((255 - src[s + 2]) * k)
    out[i * 4 + 3] = samples > 4 ? src[s + 4] : 255
  }
  return out
}

/**
 * Raw bytes per pixel of a page as utif2 decompresses it (samples x bits, at least 1): the
 * per-page pixel cap is scaled by it, so a 16-bit RGBA page (8 bytes a pixel) can't hold twice
 * the memory an 8-bit RGBA page at the cap does (RELIABILITY I7).
 */
function rawBytesPerPixel(ifd: Ifd): number {
  const samples = tag(ifd, 277) ?? 1
  const bits = tag(ifd, 258) ?? 1
  return Math.max(1, (samples * bits) / 8)
}

/** The pixel cap for one page: the plain cap, lowered for pages wider than 4 bytes a pixel. */
function tiffPageMaxPixels(ifd: Ifd): number {
  return Math.floor(CLASSIFY_LIMITS.maxPixels * Math.min(1, 4 / rawBytesPerPixel(ifd)))
}

/**
 * TIFF via utif2 (pure JS; none, LZW, Deflate, PackBits, CCITT G3/G4, JPEG). Opening reads the
 * directories only and checks every page's size against the cap (scaled by its bytes a pixel);
 * `decodePage` then decompresses one page and frees utif2's copy of it before returning, so at
 * most one page's worth of memory is held however many pages the file has (RELIABILITY I7).
 * utif2's toRGBA8 converts gray, palette, RGB, CMYK and 16-bit samples to RGBA.
 */
export function openTiff(
  bytes: Uint8Array,
  name: string
): { pageCount: number; decodePage(index: number): Promise<RgbaImage> } {
  const buffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength
  ) as ArrayBuffer
  let ifds: Ifd[]
  try {
    ifds = UTIF.decode(buffer)
  } catch (err) {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: TIFF could not be read (${err instanceof Error ? err.message : String(err)})`
    )
  }
  // Only directories with a size are pages; EXIF and GPS sub-directories have none.
  const pages = ifds.filter((ifd) => tag(ifd, 256) !== undefined && tag(ifd, 257) !== undefined)
  if (pages.length === 0) throw new EngineError('IMAGE_INVALID', `${name}: TIFF has no image pages`)
  if (pages.length > CLASSIFY_LIMITS.maxPages) {
    throw new EngineError(
      'IMAGE_TOO_LARGE',
      `${name}: TIFF has ${pages.length} pages, over the limit of ${CLASSIFY_LIMITS.maxPages}`
    )
  }
  const labelOf = (i: number): string => (pages.length > 1 ? `${name} page ${i + 1}` : name)
  pages.forEach((ifd, i) =>
    checkDimensions(labelOf(i), tag(ifd, 256)!, tag(ifd, 257)!, tiffPageMaxPixels(ifd))
  )
  const decodePage = async (index: number): Promise<RgbaImage> => {
    const ifd = pages[index]
    const label = labelOf(index)
    let rgba: Uint8Array
    try {
      UTIF.decodeImage(buffer, ifd)
      rgba = tag(ifd, 262) === PHOTOMETRIC_CMYK ? cmykToRgba(ifd, label) : UTIF.toRGBA8(ifd)
    } catch (err) {
      throw new EngineError(
        'IMAGE_INVALID',
        `${label}: TIFF page could not be decoded (${err instanceof Error ? err.message : String(err)})`
      )
    } finally {
      // utif2 keeps the decompressed samples on the directory: drop them before the next page.
      ;(ifd as { data?: Uint8Array }).data = undefined
    }
    const { width, height } = ifd
    if (!width || !height || rgba.length !== width * height * 4) {
      throw new EngineError(
        'IMAGE_INVALID',
        `${label}: TIFF page is truncated or uses an unsupported layout`
      )
    }
    return applyOrientation({ width, height, data: rgba }, tag(ifd, 274) ?? 1)
  }
  return { pageCount: pages.length, decodePage }
}
