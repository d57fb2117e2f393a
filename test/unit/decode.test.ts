import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { EngineError } from '#shared/errors'
import { decodeImage } from '#engine/classify/image/decode'
import { readExifOrientation } from '#engine/classify/image/exif-orientation'
import { applyOrientation } from '#engine/classify/image/orientation'
import { toGray } from '#engine/classify/image/preprocess'
import { sniffFormat } from '#engine/classify/image/sniff'
import type { RgbaImage } from '#engine/classify/image/types'
import { encodeJpeg, encodePng, encodeTiff } from '../fixtures/encode'
import { badFixtures, formatFixtures, type Fixture } from '../fixtures/scans'

/** Mean absolute gray difference between two same-size images (alpha composited on white). */
function grayDiff(a: RgbaImage, b: RgbaImage): number {
  const ga = toGray(a).data
  const gb = toGray(b).data
  let sum = 0
  for (let i = 0; i < ga.length; i++) sum += Math.abs(ga[i] - gb[i])
  return sum / ga.length
}

async function decodeError(f: Fixture): Promise<EngineError> {
  try {
    await decodeImage(f.bytes, f.name)
  } catch (err) {
    return err as EngineError
  }
  throw new Error(`${f.name} decoded without error`)
}

describe('decoders: one fixture per format, same pixels as the source', () => {
  let fixtures: Fixture[]
  let sources: Record<string, RgbaImage>
  beforeAll(async () => {
    ;({ fixtures, sources } = await formatFixtures())
  })
  const byName = (n: string): Fixture => fixtures.find((f) => f.name === n)!

  // Lossless formats must match the source exactly (up to 16->8 bit rounding); lossy ones closely.
  const cases: [string, string, string, number][] = [
    ['single.png', 'png', 'single', 0.01],
    ['strip-16bit.png', 'png', 'strip', 1],
    ['alpha.png', 'png', 'alpha', 0.01],
    ['strip.jpg', 'jpeg', 'strip', 4],
    ['rotated-exif6.jpg', 'jpeg', 'single', 4],
    ['single.bmp', 'bmp', 'single', 0.01],
    ['animated.gif', 'gif', 'single', 1],
    ['strip.webp', 'webp', 'strip', 5]
  ]
  it.each(cases)(
    '%s decodes as %s and matches its source',
    async (name, format, source, tolerance) => {
      const decoded = await decodeImage(byName(name).bytes, name)
      expect(decoded.format).toBe(format)
      expect(decoded.pages).toHaveLength(1)
      const page = decoded.pages[0]
      expect([page.width, page.height]).toEqual([sources[source].width, sources[source].height])
      expect(grayDiff(page, sources[source])).toBeLessThanOrEqual(tolerance)
    }
  )

  it('TIFF: every page, including 16-bit gray and CMYK', async () => {
    const decoded = await decodeImage(byName('pages.tiff').bytes, 'pages.tiff')
    expect(decoded.format).toBe('tiff')
    expect(decoded.pages).toHaveLength(3)
    const [p1, p2, p3] = decoded.pages
    expect(grayDiff(p1, sources.strip)).toBeLessThan(0.01)
    expect(grayDiff(p2, sources.page2)).toBeLessThan(1)
    // CMYK -> RGB goes through K extraction and back: close, not exact.
    expect(grayDiff(p3, sources.page3)).toBeLessThan(3)
  })

  it('CMYK JPEG (Adobe APP14, as Photoshop and ImageMagick write it) decodes to the same digit', async () => {
    // Made once with ImageMagick from single.png (`convert single.png -colorspace CMYK -quality 90`),
    // since jpeg-js can only encode RGB; sources.single is rendered deterministically, so it still matches.
    const name = 'single-cmyk.jpg'
    const bytes = readFileSync(fileURLToPath(new URL(`../fixtures/files/${name}`, import.meta.url)))
    const decoded = await decodeImage(bytes, name)
    expect(decoded.format).toBe('jpeg')
    expect([decoded.pages[0].width, decoded.pages[0].height]).toEqual([248, 248])
    expect(grayDiff(decoded.pages[0], sources.single)).toBeLessThanOrEqual(4)
  })

  it('alpha is composited on white (transparent paper reads as white paper)', async () => {
    const page = (await decodeImage(byName('alpha.png').bytes, 'alpha.png')).pages[0]
    const gray = toGray(page)
    expect(gray.data[0]).toBe(255) // the corner is fully transparent
    expect(Math.min(...gray.data)).toBeLessThan(100) // ink is dark
  })
})

describe('EXIF orientation', () => {
  // A 3x2 image whose top-left pixel is red: where it ends up identifies the transform.
  const img: RgbaImage = { width: 3, height: 2, data: new Uint8Array(3 * 2 * 4).fill(255) }
  img.data.set([255, 0, 0, 255], 0)
  const redAt = (o: RgbaImage): [number, number] => {
    for (let i = 0; i < o.width * o.height; i++)
      if (o.data[i * 4 + 1] === 0) return [i % o.width, Math.floor(i / o.width)]
    return [-1, -1]
  }
  it.each([
    [1, 3, 2, [0, 0]],
    [2, 3, 2, [2, 0]],
    [3, 3, 2, [2, 1]],
    [4, 3, 2, [0, 1]],
    [5, 2, 3, [0, 0]],
    [6, 2, 3, [1, 0]],
    [7, 2, 3, [1, 2]],
    [8, 2, 3, [0, 2]]
  ])('orientation %i -> %ix%i, stored top-left lands at %j', (o, w, h, at) => {
    const out = applyOrientation(img, o)
    expect([out.width, out.height]).toEqual([w, h])
    expect(redAt(out)).toEqual(at)
  })

  it('reads the tag from an EXIF block, and defaults to 1 on damage', () => {
    const jpg = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(256).fill(200) }, 90, 6)
    const app1 = jpg.subarray(4, 4 + ((jpg[4] << 8) | jpg[5]))
    expect(readExifOrientation(app1.subarray(2))).toBe(6)
    expect(readExifOrientation(new Uint8Array([1, 2, 3]))).toBe(1)
    expect(readExifOrientation(new Uint8Array(64).fill(0xff))).toBe(1)
    expect(readExifOrientation(undefined)).toBe(1)
  })
})

describe('bad input: a clear error that names the file', () => {
  let bad: Fixture[]
  beforeAll(async () => {
    bad = await badFixtures()
  })
  const expectations: [string, string, RegExp][] = [
    ['empty.png', 'IMAGE_INVALID', /empty/],
    ['notes.png', 'IMAGE_UNSUPPORTED', /text file/],
    ['truncated.png', 'IMAGE_INVALID', /truncated|could not be decoded/],
    ['truncated.jpg', 'IMAGE_INVALID', /truncated/],
    ['bomb.png', 'IMAGE_TOO_LARGE', /30000x30000.*limit/],
    ['document.pdf', 'IMAGE_INVALID', /damaged PDF/]
  ]
  it.each(expectations)('%s -> %s', async (name, code, message) => {
    const err = await decodeError(bad.find((f) => f.name === name)!)
    expect(err).toBeInstanceOf(EngineError)
    expect(err.code).toBe(code)
    expect(err.message.startsWith(`${name}:`)).toBe(true)
    expect(err.message).toMatch(message)
  })

  it('a 30000x30000 PNG of a few KB fails fast with low memory (I1)', async () => {
    const bomb = bad.find((f) => f.name === 'bomb.png')!
    expect(bomb.bytes.length).toBeLessThan(200_000)
    const rss = process.memoryUsage().rss
    const t = performance.now()
    await expect(decodeImage(bomb.bytes, 'bomb.png')).rejects.toThrow(/limit/)
    expect(performance.now() - t).toBeLessThan(50)
    expect(process.memoryUsage().rss - rss).toBeLessThan(50 * 1024 * 1024)
  })

  it('oversized headers in every format are refused before decoding', async () => {
    const jpg = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(256).fill(200) })
    // Patch the SOF0 frame size to 60000x60000.
    const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0)
    jpg.set([60000 >> 8, 60000 & 0xff, 60000 >> 8, 60000 & 0xff], sof + 5)
    await expect(decodeImage(jpg, 'huge.jpg')).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' })
    const tiff = encodeTiff([
      { img: { width: 2, height: 2, data: new Uint8Array(16) }, mode: 'rgb' }
    ])
    // Width and height entries are the first two of the IFD (value at +8 of each 12-byte entry).
    const ifd = new DataView(tiff.buffer).getUint32(4, true)
    new DataView(tiff.buffer).setUint32(ifd + 2 + 8, 100000, true)
    new DataView(tiff.buffer).setUint32(ifd + 2 + 12 + 8, 100000, true)
    await expect(decodeImage(tiff, 'huge.tiff')).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' })
    const gif = new Uint8Array([
      ...new TextEncoder().encode('GIF89a'),
      0xff,
      0xff,
      0xff,
      0xff,
      0,
      0,
      0,
      0x3b
    ])
    await expect(decodeImage(gif, 'huge.gif')).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' })
    const bmp = new Uint8Array(54)
    bmp.set([0x42, 0x4d])
    new DataView(bmp.buffer).setUint32(14, 40, true)
    new DataView(bmp.buffer).setInt32(18, 20000, true)
    new DataView(bmp.buffer).setInt32(22, -20000, true)
    await expect(decodeImage(bmp, 'huge.bmp')).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' })
    const webp = new Uint8Array(30)
    webp.set(new TextEncoder().encode('RIFF'), 0)
    webp.set(new TextEncoder().encode('WEBPVP8X'), 8)
    webp.set([0xff, 0x3f, 0x00, 0xff, 0x3f, 0x00], 24) // 16384 x 16384
    await expect(decodeImage(webp, 'huge.webp')).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' })
  })

  it('a file over the byte cap is refused without parsing', async () => {
    const big = new Uint8Array(51 * 1024 * 1024)
    big.set(encodePng({ width: 1, height: 1, data: new Uint8Array([0, 0, 0, 255]) }))
    await expect(decodeImage(big, 'big.png')).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      message: expect.stringMatching(/^big\.png: .*MB/)
    })
  })

  it('sniffs by content, not by name', () => {
    expect(sniffFormat(encodePng({ width: 1, height: 1, data: new Uint8Array(4) }))).toEqual({
      kind: 'image',
      format: 'png'
    })
    expect(
      sniffFormat(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))
    ).toMatchObject({ kind: 'other' })
  })
})
