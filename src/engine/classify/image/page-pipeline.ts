/**
 * One decoded page -> the 28x28 inputs of the digits on it, with the pictures of each step.
 * Pure (no tensors), so the segmenter and the preprocessing are tested without a model.
 */
import type { Box, Picture } from '#shared/protocol/classify'
import { labelComponents } from './components'
import { cropPiece, normaliseDigit } from './normalise-digit'
import {
  binarize,
  flattenBackground,
  inkThreshold,
  invert,
  isDarkOnLight,
  toGray
} from './preprocess'
import { fitWithin, resizeArea } from './resize'
import { segmentDigits } from './segment'
import type { GrayImage, RgbaImage } from './types'

/**
 * Pages are analysed at no more than this many pixels: a 24 MP phone photo of one digit has no
 * more information for a 28x28 input than a 2 MP copy, and labelling 24 M pixels costs ~1 s.
 */
const ANALYSIS_MAX_PIXELS = 2_000_000
const THUMBNAIL_SIZE = 480
const PIECE_PICTURE_SIZE = 64

interface PagePiece {
  /** In the page's own pixels. */
  box: Box
  /** 0-based line of the page the digit was read on (lines.ts). */
  line: number
  /** 28x28 bytes, MNIST polarity: what the model sees (divided by 255). */
  input: GrayImage
  /** The piece's ink as cut out, at most 64 px a side. */
  mask: Picture
}

interface PageAnalysis {
  width: number
  height: number
  inverted: boolean
  /** Null when the page has no ink at all. */
  threshold: number | null
  pieces: PagePiece[]
  thumbnail?: Picture
  mask?: Picture
}

const gray = (g: GrayImage): Picture => ({
  width: g.width,
  height: g.height,
  channels: 1,
  data: g.data
})

function shrink(g: GrayImage, max: number): GrayImage {
  const size = fitWithin(g.width, g.height, max)
  if (size.scale === 1) return g
  return {
    width: size.width,
    height: size.height,
    data: resizeArea(g.data, g.width, g.height, 1, size.width, size.height)
  }
}

/** The page composited on white, scaled to at most THUMBNAIL_SIZE a side, for the UI. */
function thumbnailOf(page: RgbaImage): Picture {
  const size = fitWithin(page.width, page.height, THUMBNAIL_SIZE)
  const data =
    size.scale === 1
      ? page.data.slice()
      : resizeArea(page.data, page.width, page.height, 4, size.width, size.height)
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3] / 255
    for (let c = 0; c < 3; c++) data[i + c] = Math.round(data[i + c] * a + 255 * (1 - a))
    data[i + 3] = 255
  }
  return { width: size.width, height: size.height, channels: 4, data }
}

/**
 * Runs the page-level steps (gray, polarity, background, threshold), labels the ink, segments it
 * into digits in reading order and normalises each digit to MNIST's 28x28 format. `name` (the
 * file, or "file page N") starts the message of a page refused for having too many marks.
 */
export function analysePage(
  page: RgbaImage,
  minSpeckArea: number,
  pictures: boolean,
  name?: string
): PageAnalysis {
  const full = toGray(page)
  const scale = Math.min(1, Math.sqrt(ANALYSIS_MAX_PIXELS / (page.width * page.height)))
  const work =
    scale < 1 ? shrink(full, Math.round(Math.max(page.width, page.height) * scale)) : full
  const s = work.width / page.width
  const inverted = isDarkOnLight(work)
  const flat = flattenBackground(inverted ? invert(work) : work)
  const threshold = inkThreshold(flat)
  const base = { width: page.width, height: page.height, inverted, threshold }
  const thumbnail = pictures ? thumbnailOf(page) : undefined
  if (threshold === null) return { ...base, pieces: [], thumbnail }
  const { labels, components } = labelComponents(binarize(flat, threshold))
  const pieces = segmentDigits(components, minSpeckArea * s * s, name)
  const kept = new Uint8Array(components.length + 1)
  for (const p of pieces) for (const l of p.labels) kept[l] = 1
  const out: PagePiece[] = pieces.map((p) => {
    const crop = cropPiece(flat, labels, p.labels, p.box)
    const [x, y, w, h] = p.box
    const box: Box = [
      Math.floor(x / s),
      Math.floor(y / s),
      Math.max(1, Math.round(w / s)),
      Math.max(1, Math.round(h / s))
    ]
    return {
      box,
      line: p.line,
      input: normaliseDigit(crop),
      mask: gray(shrink(crop, PIECE_PICTURE_SIZE))
    }
  })
  let mask: Picture | undefined
  if (pictures && thumbnail) {
    const clean = new Uint8Array(flat.data.length)
    for (let i = 0; i < clean.length; i++) if (kept[labels[i]] && labels[i]) clean[i] = 255
    const m = { width: flat.width, height: flat.height, data: clean }
    mask = gray({
      width: thumbnail.width,
      height: thumbnail.height,
      data: resizeArea(m.data, m.width, m.height, 1, thumbnail.width, thumbnail.height)
    })
  }
  return { ...base, pieces: out, thumbnail, mask }
}
