/**
 * One PDF page -> RGBA pixels. A scan's page is one full-page image: it is taken as stored (its
 * own resolution, no resampling), turned upright by the page's transform. Anything else (vector
 * strokes from a tablet app, text, several images) is rendered at RENDER_DPI.
 */
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { EngineError } from '#shared/errors'
import { CLASSIFY_LIMITS } from '#shared/protocol/classify'
import { checkDimensions } from './limits'
import { applyOrientation } from './orientation'
import type { PdfJs } from './pdf-loader'
import type { RgbaImage } from './types'

/** 200 dpi: the usual scanner default, and strokes of a pen stay several pixels wide. */
export const RENDER_DPI = 200
/** An image covering at least this share of the page is the page (scanners leave thin margins). */
const FULL_PAGE_SHARE = 0.85

type Matrix = [number, number, number, number, number, number]
const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1],
  m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3],
  m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4],
  m[1] * n[4] + m[3] * n[5] + m[5]
]

interface PlacedImage {
  objId: string
  width: number
  height: number
  /** Image space (unit square) to the page's upright pixels at 72 dpi. */
  matrix: Matrix
}

/**
 * The page's only painted thing when it is one image, else null. Text, paths, masks, shading or
 * a second image mean the page must be rendered to be seen as a reader sees it.
 */
function soleImage(pdfjs: PdfJs, ops: { fnArray: number[]; argsArray: unknown[][] }, view: Matrix) {
  const { OPS } = pdfjs
  const harmless = new Set<number>([
    OPS.dependency,
    OPS.beginMarkedContent,
    OPS.beginMarkedContentProps,
    OPS.endMarkedContent
  ])
  const stack: Matrix[] = []
  let ctm: Matrix = [1, 0, 0, 1, 0, 0]
  let found: PlacedImage | null = null
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i]
    const args = ops.argsArray[i]
    if (harmless.has(fn)) continue
    if (fn === OPS.save) stack.push(ctm)
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm
    else if (fn === OPS.transform) ctm = multiply(ctm, args as Matrix)
    else if (fn === OPS.paintImageXObject && !found) {
      const [objId, width, height] = args as [string, number, number]
      found = { objId, width, height, matrix: multiply(view, ctm) }
    } else return null
  }
  return found
}

const near0 = (x: number, scale: number): boolean => Math.abs(x) < scale * 1e-6

/**
 * The EXIF orientation (1-8) that turns the stored image upright, when the page draws it without
 * skew; null for a skewed or sheared placement (then the page is rendered). Image row 0 is the
 * top edge, at unit y = 1, so columns run along (a, b) and rows along (-c, -d) on the page.
 */
export function orientationOf(m: Matrix): number | null {
  const [a, b, c, d] = m
  const s = Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d))
  if (near0(b, s) && near0(c, s)) {
    if (a > 0) return -d > 0 ? 1 : 4
    return -d > 0 ? 2 : 3
  }
  if (near0(a, s) && near0(d, s)) {
    if (b > 0) return -c > 0 ? 5 : 6
    return -c > 0 ? 8 : 7
  }
  return null
}

interface PdfImageData {
  width: number
  height: number
  kind: number
  data: Uint8Array | Uint8ClampedArray
}

/** pdf.js's decoded image (1-bit packed, RGB or RGBA) as RGBA; 1-bit rows are byte-padded, 1 = white. */
function toRgba(pdfjs: PdfJs, img: PdfImageData, label: string): RgbaImage {
  const { width, height, kind, data } = img
  const out = new Uint8Array(width * height * 4)
  if (kind === pdfjs.ImageKind.GRAYSCALE_1BPP) {
    const rowBytes = (width + 7) >> 3
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = data[y * rowBytes + (x >> 3)] & (128 >> (x & 7)) ? 255 : 0
        const o = (y * width + x) * 4
        out[o] = out[o + 1] = out[o + 2] = v
        out[o + 3] = 255
      }
  } else if (kind === pdfjs.ImageKind.RGB_24BPP) {
    for (let i = 0, j = 0, o = 0; i < width * height; i++, j += 3, o += 4) {
      out[o] = data[j]
      out[o + 1] = data[j + 1]
      out[o + 2] = data[j + 2]
      out[o + 3] = 255
    }
  } else if (kind === pdfjs.ImageKind.RGBA_32BPP) {
    out.set(data.subarray(0, out.length))
  } else {
    throw new EngineError('IMAGE_UNSUPPORTED', `${label}: PDF image of an unknown kind (${kind})`)
  }
  return { width, height, data: out }
}

/** Waits for an image object the operator list named; global (shared) images live in commonObjs. */
function imageObject(page: PDFPageProxy, objId: string): Promise<PdfImageData | null> {
  const store = objId.startsWith('g_') ? page.commonObjs : page.objs
  return new Promise((resolve) =>
    (store as unknown as { get(id: string, cb: (v: unknown) => void): void }).get(objId, (v) =>
      resolve(v && typeof v === 'object' && 'data' in v ? (v as PdfImageData) : null)
    )
  )
}

/** The scan's own pixels when the page is one upright full-page image, else null. */
async function scannedImage(pdfjs: PdfJs, page: PDFPageProxy, label: string) {
  const viewport = page.getViewport({ scale: 1 })
  const ops = await page.getOperatorList()
  const placed = soleImage(pdfjs, ops, viewport.transform as Matrix)
  if (!placed) return null
  const orientation = orientationOf(placed.matrix)
  const [a, b, c, d] = placed.matrix
  const area = Math.abs(a * d - b * c)
  if (orientation === null || area < FULL_PAGE_SHARE * viewport.width * viewport.height) return null
  checkDimensions(label, placed.width, placed.height)
  const img = await imageObject(page, placed.objId)
  if (!img || img.width !== placed.width || img.height !== placed.height) return null
  return applyOrientation(toRgba(pdfjs, img, label), orientation)
}

/**
 * Renders the page on white at RENDER_DPI, lowered for a big page so it stays within the pixel
 * cap. A page over the cap even at 72 dpi (one pixel per point) is refused before any canvas is
 * made: PDF allows 200-inch pages, which is 207 MP at 72 dpi.
 */
async function renderPage(page: PDFPageProxy, label: string): Promise<RgbaImage> {
  const base = page.getViewport({ scale: 1 })
  checkDimensions(label, Math.ceil(base.width), Math.ceil(base.height))
  const fit = Math.sqrt(CLASSIFY_LIMITS.maxPixels / (base.width * base.height))
  const viewport = page.getViewport({ scale: Math.min(RENDER_DPI / 72, fit) })
  const width = Math.max(1, Math.floor(viewport.width))
  const height = Math.max(1, Math.floor(viewport.height))
  const { createCanvas } = await import('@napi-rs/canvas')
  const canvas = createCanvas(width, height)
  const context = canvas.getContext('2d')
  context.fillStyle = '#ffffff'
  context.fillRect(0, 0, width, height)
  type RenderParams = Parameters<PDFPageProxy['render']>[0]
  await page.render({
    canvas: canvas as unknown as RenderParams['canvas'],
    canvasContext: context as unknown as RenderParams['canvasContext'],
    viewport,
    background: '#ffffff'
  } as RenderParams).promise
  const pixels = context.getImageData(0, 0, width, height).data
  return { width, height, data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length) }
}

/** The page's pixels: the scan's own image when there is one, else the page rendered. */
export async function pagePixels(
  pdfjs: PdfJs,
  page: PDFPageProxy,
  label: string
): Promise<RgbaImage> {
  return (await scannedImage(pdfjs, page, label)) ?? (await renderPage(page, label))
}
