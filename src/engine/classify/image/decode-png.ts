import { PNG } from 'pngjs'
import { EngineError } from '#shared/errors'
import { checkDimensions } from './limits'
import type { RgbaImage } from './types'

const IHDR_END = 8 + 8 + 13

/** Width and height from the IHDR chunk, which the PNG spec requires to come first. */
function readPngSize(bytes: Uint8Array, name: string): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < IHDR_END || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new EngineError('IMAGE_INVALID', `${name}: PNG is truncated or damaged (no IHDR header)`)
  }
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

/**
 * PNG via pngjs (pure JS, CRC-checked): every colour type, palette and tRNS, 1-16 bits; 16-bit
 * samples are scaled to 8 bits and the result is always RGBA. The size is checked from IHDR first.
 */
export function decodePng(bytes: Uint8Array, name: string): RgbaImage {
  const { width, height } = readPngSize(bytes, name)
  checkDimensions(name, width, height)
  let png: { width: number; height: number; data: Buffer }
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      checkCRC: true
    })
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    // pngjs reports a cut-off file as pending reads on a finished stream.
    const reason = /read requests|end of|unexpected/i.test(why) ? 'the file is truncated' : why
    throw new EngineError('IMAGE_INVALID', `${name}: PNG could not be decoded (${reason})`)
  }
  return {
    width: png.width,
    height: png.height,
    data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength)
  }
}
