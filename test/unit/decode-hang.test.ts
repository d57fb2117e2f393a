// RELIABILITY I6: no input may hang. A GIF whose LZW table loops sends omggif into an endless
// loop; the engine decodes in a thread it can terminate, so the file gets IMAGE_INVALID in
// bounded time and the engine (a real forked process) keeps answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkEngine } from '#host/engine-fork'
import type { EngineClient } from '#host/engine-client'
import { decodeBudgetMs } from '#engine/classify/image/decode-pool'
import { formatFixtures, type Fixture } from '../fixtures/scans'
import { hangingGif, shortGif } from '../fixtures/hostile'
import { ensureTestModel } from '../fixtures/test-model'

let engine: EngineClient
let modelDir: string
let fixtures: Fixture[]

beforeAll(async () => {
  modelDir = await ensureTestModel()
  fixtures = (await formatFixtures()).fixtures
  engine = forkEngine({ env: { DIGIT_STUDIO_BACKEND: 'wasm' } })
  await engine.ready()
}, 300_000)

afterAll(() => engine?.dispose())

describe('a decoder that never returns (I6)', () => {
  it('the looping GIF gets IMAGE_INVALID within its budget; the next file still reads', async () => {
    const gif = hangingGif()
    const budget = decodeBudgetMs(gif.length)
    const single = fixtures.find((f) => f.name === 'single.png')!
    const started = performance.now()
    const { results } = await engine.request('classify:images', {
      files: [{ name: 'loop.gif', bytes: gif }, single],
      options: { modelDir, pictures: false }
    })
    const took = performance.now() - started
    expect(results[0]).toMatchObject({
      ok: false,
      error: {
        code: 'IMAGE_INVALID',
        message: `loop.gif: took longer than ${budget / 1000} s to decode: damaged file?`
      }
    })
    expect(results[1]).toMatchObject({ ok: true, digits: single.expected })
    // The budget plus the restart of the decode thread and one good file; never unbounded.
    expect(took).toBeLessThan(budget + 20_000)
    const info = await engine.request('engine:info', {})
    expect(info.backend).toBeTruthy()
  }, 60_000)

  it("omggif's stream warnings go to the engine log, not to the terminal", async () => {
    const logs: string[] = []
    const off = engine.onEvent((e) => {
      if (e.type === 'engine:log') logs.push(e.message)
    })
    await engine.request('classify:images', {
      files: [{ name: 'short.gif', bytes: shortGif() }],
      options: { modelDir, pictures: false }
    })
    await new Promise((r) => setTimeout(r, 200))
    off()
    expect(logs).toContain('decoder: Warning, gif stream shorter than expected.')
  }, 60_000)
})
