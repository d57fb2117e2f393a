import { EngineError } from '#shared/errors'
import { CLASSIFY_LIMITS, imageTooLargeMessage } from '#shared/protocol/classify'

/**
 * Refuses a page whose header promises more pixels than the cap, before a single pixel buffer is
 * allocated: a 30000x30000 PNG is a few KB on disk and 3.6 GB once decoded (RELIABILITY I1).
 */
export function checkDimensions(
  name: string,
  width: number,
  height: number,
  maxPixels: number = CLASSIFY_LIMITS.maxPixels
): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: the header says ${width}x${height} pixels, which is not a valid image size`
    )
  }
  if (width * height > maxPixels) {
    const mp = (n: number): string => `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} MP`
    throw new EngineError(
      'IMAGE_TOO_LARGE',
      `${name}: ${width}x${height} pixels (${mp(width * height)}) is over the ${mp(maxPixels)} limit`
    )
  }
}

/** Refuses empty files and files over the byte cap, before any parsing. */
export function checkBytes(
  name: string,
  length: number,
  maxBytes: number = CLASSIFY_LIMITS.maxBytes
): void {
  if (length === 0) throw new EngineError('IMAGE_INVALID', `${name}: the file is empty (0 bytes)`)
  if (length > maxBytes)
    throw new EngineError('IMAGE_TOO_LARGE', imageTooLargeMessage(name, length, maxBytes))
}
