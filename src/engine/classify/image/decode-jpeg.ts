import jpeg from 'jpeg-js'
import { EngineError } from '#shared/errors'
import { CLASSIFY_LIMITS } from '#shared/protocol/classify'
import { readExifOrientation } from './exif-orientation'
import { checkDimensions } from './limits'
import { applyOrientation } from './orientation'
import type { RgbaImage } from './types'

/** Start-of-frame markers (baseline, extended, progressive, lossless...) that carry the size. */
const SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf
])

/** Walks the JPEG marker segments up to the first SOF and returns the frame size, or null. */
function readJpegSize(b: Uint8Array): { width: number; height: number } | null {
  let at = 2
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return null
    const marker = b[at + 1]
    if (marker === 0xff) {
      at++
      continue
    }
    const length = (b[at + 2] << 8) | b[at + 3]
    if (SOF_MARKERS.has(marker))
      return { height: (b[at + 5] << 8) | b[at + 6], width: (b[at + 7] << 8) | b[at + 8] }
    at += 2 + length
  }
  return null
}

/** True when the file ends with EOI (FFD9), allowing for trailing padding some cameras add. */
function hasEndMarker(b: Uint8Array): boolean {
  for (let i = b.length - 2; i >= Math.max(0, b.length - 4096); i--)
    if (b[i] === 0xff && b[i + 1] === 0xd9) return true
  return false
}

/**
 * JPEG via jpeg-js (pure JS): baseline and progressive, gray, YCbCr, and Adobe CMYK/YCCK (converted
 * to RGB by jpeg-js). EXIF orientation is applied. jpeg-js's own tolerant mode would silently return
 * a half-grey picture for a cut-off file, so it is off and a missing end marker is an error (I2).
 */
export function decodeJpeg(bytes: Uint8Array, name: string): RgbaImage {
  const size = readJpegSize(bytes)
  if (!size)
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: JPEG is truncated or damaged (no frame header)`
    )
  checkDimensions(name, size.width, size.height)
  if (!hasEndMarker(bytes))
    throw new EngineError('IMAGE_INVALID', `${name}: JPEG is truncated (no end-of-image marker)`)
  let decoded: { width: number; height: number; data: Uint8Array; exifBuffer?: Uint8Array }
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: CLASSIFY_LIMITS.maxPixels / 1e6,
      // RGBA at the pixel cap is 200 MB; jpeg-js also needs room for its component planes.
      maxMemoryUsageInMB: 1024
    })
  } catch (err) {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: JPEG could not be decoded (${err instanceof Error ? err.message : String(err)})`
    )
  }
  const img: RgbaImage = { width: decoded.width, height: decoded.height, data: decoded.data }
  return applyOrientation(img, readExifOrientation(decoded.exifBuffer))
}
