import { decode as decodeBmpTs } from 'bmp-ts'
import { EngineError } from '#shared/errors'
import { checkDimensions } from './limits'
import type { RgbaImage } from './types'

/** Width and height from the BITMAPINFOHEADER (height is negative for top-down files). */
function readBmpSize(b: Uint8Array): { width: number; height: number } {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) }
}

/**
 * BMP via bmp-ts (pure TS): 1/4/8-bit palette, 16/24/32-bit, RLE4/RLE8, bit fields, bottom-up and
 * top-down. sharp cannot read BMP at all (RELIABILITY I3), and browsers can, so a Windows Paint
 * file must work here too. 32-bit files whose alpha bytes are all 0 mean "no alpha" and are opaque.
 */
export function decodeBmp(bytes: Uint8Array, name: string): RgbaImage {
  if (bytes.length < 26)
    throw new EngineError('IMAGE_INVALID', `${name}: BMP is truncated (no header)`)
  const { width, height } = readBmpSize(bytes)
  checkDimensions(name, width, height)
  const offset = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(10, true)
  const bpp = bytes[28] | (bytes[29] << 8)
  const compression = bytes[30]
  // Uncompressed rows are padded to 4 bytes: a shorter file is cut off, and bmp-ts would read past it.
  const rowBytes = Math.ceil((width * bpp) / 32) * 4
  if (compression === 0 && offset + rowBytes * height > bytes.length) {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: BMP is truncated (${bytes.length} bytes, pixel data needs ${offset + rowBytes * height})`
    )
  }
  let decoded: { width: number; height: number; data: Buffer }
  try {
    decoded = decodeBmpTs(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      toRGBA: true
    })
  } catch (err) {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: BMP could not be decoded (${err instanceof Error ? err.message : String(err)})`
    )
  }
  const data = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength)
  if (data.length !== width * height * 4)
    throw new EngineError('IMAGE_INVALID', `${name}: BMP pixel data is incomplete`)
  let anyAlpha = false
  for (let i = 3; i < data.length; i += 4)
    if (data[i] !== 0) {
      anyAlpha = true
      break
    }
  if (!anyAlpha || bpp < 32) for (let i = 3; i < data.length; i += 4) data[i] = 255
  return { width, height, data }
}
