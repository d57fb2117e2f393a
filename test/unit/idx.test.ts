import fc from 'fast-check'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { EngineError } from '#shared/errors'
import {
  encodeIdx,
  isGzip,
  parseIdx,
  parseIdxHeader,
  parseIdxImages,
  parseIdxLabels
} from '#engine/data/idx'

// A fixed seed, so a failing property reproduces on every machine.
const FC = { seed: 20261127, numRuns: 300 }

function expectDatasetError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError)
    expect((err as EngineError).code).toBe('DATASET_INVALID')
    expect((err as Error).message).toMatch(pattern)
    return
  }
  throw new Error('expected a DATASET_INVALID error')
}

describe('IDX parser (RELIABILITY P1)', () => {
  it('parses an images file and a labels file', () => {
    const pixels = Uint8Array.from({ length: 2 * 28 * 28 }, (_, i) => i % 256)
    const images = parseIdxImages(encodeIdx([2, 28, 28], pixels), 'imgs')
    expect(images.dims).toEqual([2, 28, 28])
    expect(Array.from(images.data)).toEqual(Array.from(pixels))
    const labels = parseIdxLabels(encodeIdx([3], Uint8Array.of(7, 0, 9)), 'lbls')
    expect(labels.dims).toEqual([3])
    expect(Array.from(labels.data)).toEqual([7, 0, 9])
  })

  it('starts with the magic numbers 0x803 and 0x801', () => {
    const img = encodeIdx([1, 28, 28], new Uint8Array(784))
    const lbl = encodeIdx([1], new Uint8Array(1))
    expect(parseIdxHeader(img, 'x').magic).toBe(0x00000803)
    expect(parseIdxHeader(lbl, 'x').magic).toBe(0x00000801)
  })

  it('reads gzipped files whatever their name', () => {
    const raw = encodeIdx([2], Uint8Array.of(4, 5))
    const gz = gzipSync(raw)
    expect(isGzip(gz)).toBe(true)
    expect(Array.from(parseIdxLabels(gz, 'labels-without-gz-suffix').data)).toEqual([4, 5])
  })

  it('names the file and the problem', () => {
    expectDatasetError(
      () => parseIdx(Uint8Array.of(1, 2), '/data/x-idx1-ubyte'),
      /\/data\/x-idx1-ubyte: too short/
    )
    expectDatasetError(
      () => parseIdx(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0), 'f.zip'),
      /f\.zip: not an IDX file \(magic 0x504b0304\)/
    )
    expectDatasetError(
      () => parseIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0), 'floats'),
      /floats: IDX data type 0xd is not uint8/
    )
    const truncated = encodeIdx([10, 28, 28], new Uint8Array(784 * 10)).subarray(0, 5000)
    expectDatasetError(
      () => parseIdxImages(truncated, 'train-images'),
      /train-images: length 5000 bytes does not match header dims \[10x28x28\]/
    )
    expectDatasetError(
      () => parseIdxImages(encodeIdx([3], new Uint8Array(3)), 'swapped'),
      /swapped: expected an images file/
    )
    expectDatasetError(
      () => parseIdxLabels(encodeIdx([1, 28, 28], new Uint8Array(784)), 'swapped'),
      /swapped: expected a labels file/
    )
    expectDatasetError(
      () => parseIdx(Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3), 'broken.gz'),
      /broken\.gz: gzip data is corrupt/
    )
  })

  it('refuses a header claiming more elements than it could hold, without allocating them', () => {
    const huge = encodeIdx([0xffffffff, 0xffffffff], new Uint8Array(0))
    expectDatasetError(() => parseIdx(huge, 'huge'), /huge: header declares .* elements/)
  })

  it('property: encode -> parse round-trips any uint8 array of 1-4 dimensions', () => {
    const shaped = fc
      .array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 })
      .chain((dims) => {
        const n = dims.reduce((a, b) => a * b, 1)
        return fc.tuple(
          fc.constant(dims),
          fc.uint8Array({ minLength: n, maxLength: n }),
          fc.boolean()
        )
      })
    fc.assert(
      fc.property(shaped, ([dims, data, gz]) => {
        const encoded = encodeIdx(dims, data)
        const parsed = parseIdx(gz ? gzipSync(encoded) : encoded, 'prop')
        expect(parsed.dims).toEqual(dims)
        expect(Array.from(parsed.data)).toEqual(Array.from(data))
      }),
      FC
    )
  })

  it('property: any bytes give a value or a typed DATASET_INVALID error, never a crash or hang', () => {
    // Arbitrary bytes, arbitrary bytes behind a valid-looking header, and gzip-looking noise.
    const header = fc.tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 4, maxLength: 4 })
    )
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(header, fc.uint8Array({ maxLength: 300 })).map(([[n, dims], tail]) => {
        const h = encodeIdx(dims.slice(0, n), new Uint8Array(0))
        const out = new Uint8Array(h.length + tail.length)
        out.set(h)
        out.set(tail, h.length)
        return out
      }),
      fc.uint8Array({ maxLength: 100 }).map((b) => Uint8Array.of(0x1f, 0x8b, ...b))
    )
    fc.assert(
      fc.property(bytes, (b) => {
        for (const parse of [parseIdx, parseIdxImages, parseIdxLabels]) {
          try {
            const r = parse(b, 'fuzz')
            expect(r.data.length).toBe(r.dims.reduce((x, y) => x * y, 1))
          } catch (err) {
            expect(err).toBeInstanceOf(EngineError)
            expect((err as EngineError).code).toBe('DATASET_INVALID')
            expect((err as Error).message.startsWith('fuzz: ')).toBe(true)
          }
        }
      }),
      { ...FC, numRuns: 1000 }
    )
  })
})
