// RELIABILITY I7: TIFF pages are decoded one at a time and each is freed before the next, so a
// small file of many large pages costs one page's memory; the per-page pixel cap is scaled by the
// bytes a pixel takes, and a 10-page A4 scan at 300 dpi still reads.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkEngine } from '#host/engine-fork'
import type { EngineClient } from '#host/engine-client'
import { openImage } from '#engine/classify/image/decode'
import { sharedStripTiff } from '../fixtures/hostile'
import { formatFixtures } from '../fixtures/scans'
import { ensureTestModel } from '../fixtures/test-model'

const A4 = { width: 2480, height: 3508 } // 300 dpi

/** An A4 gray page, white with three thick dark strokes (so every page has ink to read). */
function a4Page(): Uint8Array {
  const data = new Uint8Array(A4.width * A4.height).fill(255)
  for (const x0 of [400, 1200, 2000])
    for (let y = 1400; y < 2100; y++) data.fill(0, y * A4.width + x0, y * A4.width + x0 + 90)
  return data
}

/** Peak resident memory of a process so far (Linux VmHWM), in bytes. */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]
  return Number(kb) * 1024
}

describe('TIFF pages (I7)', () => {
  it('pages are decoded only when asked for, one at a time', async () => {
    const tiff = sharedStripTiff({ pages: 50, ...A4, bitsPerSample: 8, samples: 1, data: a4Page() })
    expect(tiff.length).toBeLessThan(100_000)
    const opened = openImage(tiff, 'fifty.tiff')
    expect(opened.pageCount).toBe(50)
    const page = await opened.decodePage(49)
    expect([page.width, page.height]).toEqual([A4.width, A4.height])
  })

  it('a 16-bit RGBA page is held to the memory of an 8-bit page at the cap (25 MP, not 50)', () => {
    const size = { width: 6000, height: 5000 } // 30 MP: 240 MB of 16-bit RGBA samples
    const tiff = sharedStripTiff({
      pages: 1,
      ...size,
      bitsPerSample: 16,
      samples: 4,
      data: new Uint8Array(64)
    })
    expect(() => openImage(tiff, 'deep.tiff')).toThrow(
      'deep.tiff: 6000x5000 pixels (30 MP) is over the 25 MP limit'
    )
    const gray = sharedStripTiff({
      pages: 1,
      ...size,
      bitsPerSample: 8,
      samples: 1,
      data: new Uint8Array(64)
    })
    expect(openImage(gray, 'gray.tiff').pageCount).toBe(1)
  })

  describe('through the engine', () => {
    let engine: EngineClient
    let modelDir: string
    beforeAll(async () => {
      modelDir = await ensureTestModel()
      engine = forkEngine({ env: { DIGIT_STUDIO_BACKEND: 'wasm' } })
      await engine.ready()
      // Warm up: the model, the decode thread and the page pipeline are loaded before measuring.
      const single = (await formatFixtures()).fixtures.find((f) => f.name === 'single.png')!
      await engine.request('classify:images', {
        files: [single],
        options: { modelDir, pictures: false }
      })
    }, 300_000)
    afterAll(() => engine?.dispose())

    it('a 10-page A4 scan at 300 dpi reads every page, in one page of memory', async () => {
      const tiff = sharedStripTiff({
        pages: 10,
        ...A4,
        bitsPerSample: 8,
        samples: 1,
        data: a4Page()
      })
      const before = peakRss(engine.pid!)
      const { results } = await engine.request('classify:images', {
        files: [{ name: 'scan.tiff', bytes: tiff }],
        options: { modelDir, pictures: false }
      })
      const grew = peakRss(engine.pid!) - before
      const result = results[0]
      if (!result.ok) throw new Error(result.error.message)
      expect(result.pages).toHaveLength(10)
      for (const page of result.pages) expect(page.predictions).toHaveLength(3)
      // One page is 8.7 MP: 35 MB as RGBA plus 9 MB of samples. All ten at once were ~440 MB.
      expect(grew).toBeLessThan(200 * 2 ** 20)
    }, 120_000)
  })
})
