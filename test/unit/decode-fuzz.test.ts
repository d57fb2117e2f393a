// Fuzzing every decoder (RELIABILITY I6, I2, P1): valid fixtures with random byte flips,
// truncations and duplicated chunks, from a fixed seed so every run sees the same cases. Each case
// must give a decoded result or a named error (the file's name first, a known code) in bounded
// time. Images go through the real engine's classify:images (decode thread, time budget, page
// pipeline), which must still answer afterwards; IDX files go through the parser in-process.
import fc from 'fast-check'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkEngine } from '#host/engine-fork'
import type { EngineClient } from '#host/engine-client'
import { encodeIdx, parseIdx } from '#engine/data/idx'
import { EngineError } from '#shared/errors'
import type { ClassifyFile } from '#shared/protocol/classify'
import { decodeBudgetMs } from '#engine/classify/image/decode-pool'
import { formatFixtures } from '../fixtures/scans'
import { ensureTestModel } from '../fixtures/test-model'

const SEED = 20261203
const CASES_PER_FORMAT = 30
const IDX_CASES = 150
const FORMATS = [
  'single.png',
  'strip.jpg',
  'single.bmp',
  'animated.gif',
  'strip.webp',
  'pages.tiff',
  'scan.pdf',
  'vector.pdf'
]
const IMAGE_ERRORS = ['IMAGE_INVALID', 'IMAGE_UNSUPPORTED', 'IMAGE_TOO_LARGE']

type Mutation =
  | { kind: 'flip'; at: [number, number][] }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; from: number; size: number; to: number }

/** Flips (half of them in the first 64 bytes, where headers are), cuts and repeated chunks. */
function mutation(length: number): fc.Arbitrary<Mutation> {
  const position = fc.oneof(
    fc.integer({ min: 0, max: Math.min(63, length - 1) }),
    fc.integer({ min: 0, max: length - 1 })
  )
  return fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8
      })
    }),
    fc.record({
      kind: fc.constant('truncate' as const),
      at: fc.integer({ min: 0, max: length - 1 })
    }),
    fc.record({
      kind: fc.constant('duplicate' as const),
      from: fc.integer({ min: 0, max: length - 1 }),
      size: fc.integer({ min: 1, max: 512 }),
      to: fc.integer({ min: 0, max: length })
    })
  )
}

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (m.kind === 'truncate') return bytes.slice(0, m.at)
  if (m.kind === 'flip') {
    const out = bytes.slice()
    for (const [at, value] of m.at) out[at] = value
    return out
  }
  const chunk = bytes.slice(m.from, m.from + m.size)
  const out = new Uint8Array(bytes.length + chunk.length)
  out.set(bytes.subarray(0, m.to))
  out.set(chunk, m.to)
  out.set(bytes.subarray(m.to), m.to + chunk.length)
  return out
}

const cases = (bytes: Uint8Array, n: number, seed: number): Uint8Array[] =>
  fc.sample(mutation(bytes.length), { seed, numRuns: n }).map((m) => mutate(bytes, m))

describe('fuzzed images through the real engine', () => {
  let engine: EngineClient
  let modelDir: string
  let files: ClassifyFile[]
  beforeAll(async () => {
    modelDir = await ensureTestModel()
    const { fixtures } = await formatFixtures()
    files = FORMATS.flatMap((name, f) => {
      const source = fixtures.find((x) => x.name === name)!.bytes
      return cases(source, CASES_PER_FORMAT, SEED + f).map((bytes, i) => ({
        name: `fuzz-${i}-${name}`,
        bytes
      }))
    })
    engine = forkEngine({ env: { DIGIT_STUDIO_BACKEND: 'wasm' } })
    await engine.ready()
  }, 300_000)
  afterAll(() => engine?.dispose())

  it(`${FORMATS.length} formats x ${CASES_PER_FORMAT} mutations: a result or a named error each, engine alive`, async () => {
    const outcomes: Record<string, number> = {}
    for (let at = 0; at < files.length; at += 30) {
      const batch = files.slice(at, at + 30)
      const started = performance.now()
      const { results } = await engine.request('classify:images', {
        files: batch,
        options: { modelDir, pictures: false }
      })
      // Bounded: never more than every file's decode budget plus a generous pipeline allowance.
      const bound = batch.reduce((n, f) => n + decodeBudgetMs(f.bytes.length, 3) + 2000, 0)
      expect(performance.now() - started).toBeLessThan(bound)
      results.forEach((r, i) => {
        expect(r.name).toBe(batch[i].name)
        const key = r.ok ? 'decoded' : r.error.code
        outcomes[key] = (outcomes[key] ?? 0) + 1
        if (!r.ok) {
          expect(IMAGE_ERRORS, `${r.name}: ${r.error.code} ${r.error.message}`).toContain(
            r.error.code
          )
          expect(r.error.message.startsWith(`${r.name}`)).toBe(true)
        }
      })
    }
    expect(engine.exited).toBeNull()
    expect((await engine.request('engine:info', {})).backend).toBeTruthy()
    // Both kinds of outcome occur: the mutations neither all break nor all spare the files.
    expect(outcomes.decoded).toBeGreaterThan(0)
    expect(outcomes.IMAGE_INVALID).toBeGreaterThan(0)
    console.log('fuzzed images:', JSON.stringify(outcomes))
  }, 600_000)
})

describe('fuzzed IDX files', () => {
  it(`${IDX_CASES} mutations of plain and gzipped files: a value or DATASET_INVALID naming the file`, () => {
    const pixels = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => (i * 7) % 256)
    const plain = encodeIdx([3, 28, 28], pixels)
    const sources = [plain, gzipSync(plain), encodeIdx([3], Uint8Array.of(1, 2, 3))]
    let parsed = 0
    sources.forEach((source, s) => {
      for (const bytes of cases(source, IDX_CASES / sources.length, SEED + 100 + s)) {
        try {
          parseIdx(bytes, 'fuzz.idx')
          parsed++
        } catch (err) {
          expect(err).toBeInstanceOf(EngineError)
          expect((err as EngineError).code).toBe('DATASET_INVALID')
          expect((err as Error).message.startsWith('fuzz.idx: ')).toBe(true)
        }
      }
    })
    expect(parsed).toBeGreaterThan(0)
  })
})
