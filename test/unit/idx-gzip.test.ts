// RELIABILITY P3: a gzipped IDX file is inflated no further than its header implies. The header is
// read from a short prefix of the stream; the rest is inflated with an output limit, so a small
// file that expands to gigabytes is refused after a few KB, with a message naming the file.
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { encodeIdx, gunzipHead, parseIdx, parseIdxHeader } from '#engine/data/idx'

const HEADER_DIMS = [10, 28, 28]
const DECLARED = 4 + 4 * 3 + 10 * 28 * 28

/**
 * A gzip bomb: an IDX header for 10 images, then `megabytes` MB of zeros, as concatenated gzip
 * members (which gunzip reads as one stream). ~1 KB a MB, made in milliseconds.
 */
function bomb(megabytes: number): Uint8Array {
  const header = gzipSync(encodeIdx(HEADER_DIMS, new Uint8Array(0)))
  const megabyte = gzipSync(new Uint8Array(2 ** 20), { level: 9 })
  const out = new Uint8Array(header.length + megabyte.length * megabytes)
  out.set(header)
  for (let i = 0; i < megabytes; i++) out.set(megabyte, header.length + i * megabyte.length)
  return out
}

describe('gzipped IDX files are inflated within what their header declares (P3)', () => {
  it('a 64 MB bomb is refused by the output limit, naming the file', () => {
    expect(() => parseIdx(bomb(64), '/data/train-images-idx3-ubyte.gz')).toThrow(
      `/data/train-images-idx3-ubyte.gz: decompresses to more than the ${DECLARED} bytes its header declares`
    )
  })

  it('a 3 GB bomb of ~3 MB is refused without the memory growing', () => {
    const file = bomb(3000)
    expect(file.length).toBeLessThan(4 * 2 ** 20)
    const before = process.memoryUsage().rss
    expect(() => parseIdx(file, 'bomb.gz')).toThrow(/bomb.gz: decompresses to more than/)
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20)
  })

  it('the header alone comes from a short prefix, whatever follows it', () => {
    const head = gunzipHead(bomb(3000), 'bomb.gz')
    expect(head.length).toBeLessThan(5 * 2 ** 20)
    expect(parseIdxHeader(head, 'bomb.gz').dims).toEqual(HEADER_DIMS)
  })

  it('a gzip header with a long file name still gives the IDX header', () => {
    // FNAME flag (0x08) and a 1,000-character name before the deflate data.
    const plain = gzipSync(encodeIdx([2], Uint8Array.of(3, 4)))
    const name = new TextEncoder().encode('x'.repeat(1000) + '\0')
    const named = new Uint8Array(plain.length + name.length)
    named.set(plain.subarray(0, 10))
    named[3] |= 0x08
    named.set(name, 10)
    named.set(plain.subarray(10), 10 + name.length)
    expect(parseIdx(named, 'named.gz').dims).toEqual([2])
  })

  it('valid gzipped files still parse; a stream shorter than its header is named', () => {
    const pixels = Uint8Array.from({ length: 10 * 28 * 28 }, (_, i) => i % 251)
    expect(
      new Uint8Array(parseIdx(gzipSync(encodeIdx(HEADER_DIMS, pixels)), 'ok.gz').data)
    ).toEqual(pixels)
    expect(() =>
      parseIdx(gzipSync(encodeIdx(HEADER_DIMS, pixels.subarray(0, 100))), 'short.gz')
    ).toThrow(/short.gz: length 116 bytes does not match header dims \[10x28x28\]/)
  })
})
