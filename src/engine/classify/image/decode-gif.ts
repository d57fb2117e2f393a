import { GifReader } from 'omggif'
import { EngineError } from '#shared/errors'
import { checkDimensions } from './limits'
import type { RgbaImage } from './types'

/**
 * GIF via omggif (pure JS): the first frame only (an animated GIF of a digit is still a digit),
 * drawn onto the logical screen; transparent pixels stay transparent (alpha 0) and are later
 * composited on white like any other alpha. The screen size is checked before any pixel buffer.
 */
export function decodeGif(bytes: Uint8Array, name: string): RgbaImage {
  let reader: GifReader
  try {
    reader = new GifReader(bytes)
  } catch (err) {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: GIF could not be read (${err instanceof Error ? err.message : String(err)})`
    )
  }
  const { width, height } = reader
  checkDimensions(name, width, height)
  if (reader.numFrames() < 1) throw new EngineError('IMAGE_INVALID', `${name}: GIF has no frames`)
  const data = new Uint8Array(width * height * 4)
  try {
    reader.decodeAndBlitFrameRGBA(0, data)
  } catch (err) {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: GIF frame could not be decoded (${err instanceof Error ? err.message : String(err)})`
    )
  }
  return { width, height, data }
}
