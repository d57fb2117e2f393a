/**
 * One image file -> the one digit it holds, through exactly the steps Classify takes (decode in
 * the decode thread, page pipeline: polarity, background, threshold, segment, normalise to 28x28).
 * Labelled folders and My digits both need "this file is one digit": anything else comes back as
 * a reason a person can act on, never as a silently dropped file.
 */
import { EngineError } from '#shared/errors'
import { DEFAULT_MIN_SPECK_AREA, type Box } from '#shared/protocol/classify'
import { decodeThread } from '../classify/image/decode-pool'
import { analysePage } from '../classify/image/page-pipeline'
import type { RgbaImage } from '../classify/image/types'

/** Pixels of page around a digit's box kept in its "crop as found" (a little paper around the ink). */
const CROP_MARGIN = 4

type SingleDigit =
  | {
      ok: true
      /** 28x28 bytes, MNIST polarity: the model input. */
      input: Uint8Array
      /** The digit's region of the page as found (RGBA), with a small margin. */
      crop: RgbaImage
      box: Box
    }
  | { ok: false; reason: string }

/** The part of `page` inside `box`, grown by `margin` and clipped to the page. */
function cropRgba(page: RgbaImage, box: Box, margin = CROP_MARGIN): RgbaImage {
  const x0 = Math.max(0, box[0] - margin)
  const y0 = Math.max(0, box[1] - margin)
  const x1 = Math.min(page.width, box[0] + box[2] + margin)
  const y1 = Math.min(page.height, box[1] + box[3] + margin)
  const width = Math.max(1, x1 - x0)
  const height = Math.max(1, y1 - y0)
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    const src = ((y0 + y) * page.width + x0) * 4
    data.set(page.data.subarray(src, src + width * 4), y * width * 4)
  }
  return { width, height, data }
}

/** Words for a decoder's refusal: "not an image" when the bytes are no image format at all. */
function decodeReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof EngineError && err.code === 'IMAGE_UNSUPPORTED')
    return `not an image (${message})`
  return `unreadable (${message})`
}

/** Reads `bytes` (named `name` in messages) and returns its one digit, or why it has not one. */
export async function readSingleDigit(bytes: Uint8Array, name: string): Promise<SingleDigit> {
  const found: { input: Uint8Array; crop: RgbaImage; box: Box }[] = []
  try {
    await decodeThread.decodeFile(bytes, name, async (page) => {
      const analysis = analysePage(page, DEFAULT_MIN_SPECK_AREA, false, name)
      for (const piece of analysis.pieces) {
        // Only the first two matter: one is right, two is already wrong.
        if (found.length < 2)
          found.push({ input: piece.input.data, crop: cropRgba(page, piece.box), box: piece.box })
        else found.push(found[0])
      }
    })
  } catch (err) {
    return { ok: false, reason: decodeReason(err) }
  }
  if (found.length === 0) return { ok: false, reason: 'no digit found (blank, or ink too faint)' }
  if (found.length > 1)
    return { ok: false, reason: `${found.length} digits found (one per image expected)` }
  return { ok: true, ...found[0] }
}

/** Overlap area of two boxes. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0])
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1])
  return w > 0 && h > 0 ? w * h : 0
}

/**
 * The digit of `bytes` at `box` on page `page` (Classify's box for it), through the same steps:
 * the piece that overlaps the box most. For a digit the user picked among several on a page.
 */
export async function readDigitAt(
  bytes: Uint8Array,
  name: string,
  page: number,
  box: Box
): Promise<SingleDigit> {
  let best: { input: Uint8Array; crop: RgbaImage; box: Box; area: number } | null = null
  try {
    await decodeThread.decodeFile(bytes, name, async (decoded, index) => {
      if (index !== page) return
      const analysis = analysePage(decoded, DEFAULT_MIN_SPECK_AREA, false, name)
      for (const piece of analysis.pieces) {
        const area = overlap(piece.box, box)
        if (area > 0 && (!best || area > best.area))
          best = {
            input: piece.input.data,
            crop: cropRgba(decoded, piece.box),
            box: piece.box,
            area
          }
      }
    })
  } catch (err) {
    return { ok: false, reason: decodeReason(err) }
  }
  const found = best as { input: Uint8Array; crop: RgbaImage; box: Box } | null
  if (!found) return { ok: false, reason: `no digit at [${box.join(', ')}] on page ${page + 1}` }
  return { ok: true, input: found.input, crop: found.crop, box: found.box }
}
