/**
 * PDF input (issue 17) at the decoder: scans taken as stored, vector pages rendered, /Rotate
 * honoured, pages decoded lazily, hostile files refused with messages naming file and page.
 * The digits read from these PDFs by the real model are checked in classify.test.ts and the CLI.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { PDFDocument } from 'pdf-lib'
import { decodeImage, openFile } from '#engine/classify/image/decode'
import { openPdf } from '#engine/classify/image/decode-pdf'
import { RENDER_DPI, orientationOf } from '#engine/classify/image/pdf-page-image'
import { toGray } from '#engine/classify/image/preprocess'
import type { RgbaImage } from '#engine/classify/image/types'
import { EngineError } from '#shared/errors'
import {
  addScanPage,
  badSecondPagePdf,
  hugePagePdf,
  imageBombPdf,
  manyPagesPdf,
  oneBitScanPdf,
  savePdf
} from '../fixtures/pdf'
import { badFixtures, formatFixtures, type Fixture } from '../fixtures/scans'

let fixtures: Fixture[]
let bad: Fixture[]
let sources: Record<string, RgbaImage>
beforeAll(async () => {
  ;({ fixtures, sources } = await formatFixtures())
  bad = await badFixtures()
}, 120_000)
const byName = (list: Fixture[], n: string): Fixture => list.find((f) => f.name === n)!

function grayDiff(a: RgbaImage, b: RgbaImage): number {
  const ga = toGray(a).data
  const gb = toGray(b).data
  let sum = 0
  for (let i = 0; i < ga.length; i++) sum += Math.abs(ga[i] - gb[i])
  return sum / ga.length
}

async function errorOf(bytes: Uint8Array, name: string): Promise<EngineError> {
  try {
    await decodeImage(bytes, name)
  } catch (err) {
    return err as EngineError
  }
  throw new Error(`${name} decoded without error`)
}

describe('PDF pages', () => {
  it('a scanned page is its embedded image, at the image own size (not re-rendered)', async () => {
    const decoded = await decodeImage(byName(fixtures, 'scan.pdf').bytes, 'scan.pdf')
    expect(decoded.format).toBe('pdf')
    expect(decoded.pages).toHaveLength(1)
    const [page] = decoded.pages
    expect([page.width, page.height]).toEqual([sources.single.width, sources.single.height])
    expect(grayDiff(page, sources.single)).toBeLessThanOrEqual(4)
  })

  it('a PNG (Flate) scan page is lossless; a vector page is rendered at 200 dpi', async () => {
    const { pages } = await decodeImage(byName(fixtures, 'pages.pdf').bytes, 'pages.pdf')
    expect(pages).toHaveLength(3)
    expect([pages[1].width, pages[1].height]).toEqual([sources.page2.width, sources.page2.height])
    expect(grayDiff(pages[1], sources.page2)).toBeLessThanOrEqual(0.01)
    // Three digits of 224 pt plus 36 pt margins: 744 x 296 pt at 200 dpi.
    const scale = RENDER_DPI / 72
    expect([pages[2].width, pages[2].height]).toEqual([
      Math.floor(744 * scale),
      Math.floor(296 * scale)
    ])
  })

  it('/Rotate is honoured for scanned and rendered pages alike', async () => {
    const { pages } = await decodeImage(byName(fixtures, 'rotated.pdf').bytes, 'rotated.pdf')
    // The scan was stored turned counter-clockwise under /Rotate 90: it comes out upright.
    expect([pages[0].width, pages[0].height]).toEqual([sources.strip.width, sources.strip.height])
    expect(grayDiff(pages[0], sources.strip)).toBeLessThanOrEqual(4)
    expect(pages[1].width).toBeGreaterThan(pages[1].height)
  })

  it('a 1-bit scan page (as CCITT and JBIG2 decode) is taken pixel for pixel', async () => {
    const rows = ['..........', '.##....##.', '.#.#..#.#.', '..........']
    const { pages } = await decodeImage(oneBitScanPdf(rows), 'fax.pdf')
    expect([pages[0].width, pages[0].height]).toEqual([10, 4])
    const shown = rows.map((_, y) =>
      Array.from({ length: 10 }, (_, x) => (pages[0].data[(y * 10 + x) * 4] ? '.' : '#')).join('')
    )
    expect(shown).toEqual(rows)
  })

  it('orientationOf maps every axis-aligned placement and refuses skew', () => {
    // Page space (y up) to pixels (y down) flips d: an upright image has d < 0.
    expect(orientationOf([2, 0, 0, -3, 0, 0])).toBe(1)
    expect(orientationOf([-2, 0, 0, -3, 0, 0])).toBe(2)
    expect(orientationOf([-2, 0, 0, 3, 0, 0])).toBe(3)
    expect(orientationOf([2, 0, 0, 3, 0, 0])).toBe(4)
    expect(orientationOf([0, 2, -3, 0, 0, 0])).toBe(5)
    expect(orientationOf([0, 2, 3, 0, 0, 0])).toBe(6)
    expect(orientationOf([0, -2, 3, 0, 0, 0])).toBe(7)
    expect(orientationOf([0, -2, -3, 0, 0, 0])).toBe(8)
    expect(orientationOf([1, 1, -1, 1, 0, 0])).toBeNull()
  })

  it('openFile decodes pages one at a time, in order, as they are asked for', async () => {
    const file = await openFile(byName(fixtures, 'pages.pdf').bytes, 'pages.pdf')
    expect(file.pageCount).toBe(3)
    const first = await file.decodePage(0)
    expect(first.width).toBeGreaterThan(0)
    await expect(file.decodePage(2)).rejects.toThrow(/in order/)
    await file.close?.() // the document is closed when reading stops early
  })
})

describe('pdf.js is loaded on the first PDF only', () => {
  it('no engine module imports pdfjs-dist or @napi-rs/canvas at load time (types only)', () => {
    const root = join(__dirname, '../../src/engine')
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts')
    )
    const eager = files.filter((f) =>
      /^import (?!type\b)[^;]*from '(pdfjs-dist|@napi-rs\/canvas)/m.test(
        readFileSync(join(root, f), 'utf8')
      )
    )
    expect(eager).toEqual([])
  })
})

describe('hostile and damaged PDFs: a clear error naming the file (and page)', () => {
  const expectations: [string, string, RegExp][] = [
    ['encrypted.pdf', 'IMAGE_UNSUPPORTED', /^encrypted\.pdf: encrypted PDF: it needs a password/],
    ['truncated.pdf', 'IMAGE_INVALID', /^truncated\.pdf: damaged PDF/],
    ['document.pdf', 'IMAGE_INVALID', /^document\.pdf: damaged PDF/]
  ]
  it.each(expectations)('%s -> %s', async (name, code, message) => {
    const err = await errorOf(byName(bad, name).bytes, name)
    expect(err).toBeInstanceOf(EngineError)
    expect(err.code).toBe(code)
    expect(err.message).toMatch(message)
  })

  it('a damaged page is named: the pages before it were read', async () => {
    const { pages } = await openPdf(badSecondPagePdf(), 'bad-page.pdf')
    const read: RgbaImage[] = []
    const err = await (async () => {
      for await (const page of pages) read.push(page)
    })().catch((e: unknown) => e as EngineError)
    expect(read).toHaveLength(1)
    expect(err).toMatchObject({ code: 'IMAGE_INVALID' })
    expect((err as EngineError).message).toMatch(/^bad-page\.pdf page 2: damaged PDF page/)
  })

  it('a file that takes longer than its time budget stops with a clear error', async () => {
    const { pages } = await openPdf(byName(fixtures, 'pages.pdf').bytes, 'slow.pdf', 5)
    const err = await (async () => {
      for await (const page of pages) void page
    })().catch((e: unknown) => e as EngineError)
    expect(err).toMatchObject({ code: 'IMAGE_TOO_LARGE' })
    expect((err as EngineError).message).toMatch(
      /^slow\.pdf( page \d)?: reading the PDF took over 0\.005 s/
    )
  })

  it('more pages than the cap: refused before any page is read', async () => {
    const err = await errorOf(await manyPagesPdf(51), 'many.pdf')
    expect(err.code).toBe('IMAGE_TOO_LARGE')
    expect(err.message).toMatch(/^many\.pdf: PDF has 51 pages, over the limit of 50/)
  })

  it('a page too big to render is refused before a canvas is made, naming the page', async () => {
    const doc = await PDFDocument.create()
    await addScanPage(doc, sources.single, 'jpeg')
    const [huge] = await doc.copyPages(await PDFDocument.load(await hugePagePdf()), [0])
    doc.addPage(huge)
    const err = await errorOf(await savePdf(doc), 'mixed.pdf')
    expect(err.code).toBe('IMAGE_TOO_LARGE')
    expect(err.message).toMatch(/^mixed\.pdf page 2: 14400x14400 pixels .* over the 50 MP limit/)
  })

  it('a 64 MP image stored in 60 KB is dropped unallocated: fast, low memory', async () => {
    const bomb = imageBombPdf()
    expect(bomb.length).toBeLessThan(100_000)
    const rss = process.memoryUsage().rss
    const started = performance.now()
    const { pages } = await decodeImage(bomb, 'bomb.pdf')
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(process.memoryUsage().rss - rss).toBeLessThan(40 * 1024 * 1024)
    // The page is what is left: a blank 200 pt page at 200 dpi, no 8000x8000 pixels.
    expect([pages[0].width, pages[0].height]).toEqual([555, 555])
    expect(pages[0].data.every((v) => v === 255)).toBe(true)
  })
})
