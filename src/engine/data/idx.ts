import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS } from '#shared/mnist'
import { EngineError } from '#shared/errors'

/** A parsed uint8 IDX file: its dimensions and the raw bytes after the header (no copy). */
interface IdxArray {
  dims: number[]
  data: Uint8Array
}

const GZIP_MAGIC = [0x1f, 0x8b]
/** Guards against a corrupt header claiming absurd sizes before we allocate anything. */
const MAX_DIMS = 4
const MAX_ELEMENTS = 2 ** 31 - 1

function fail(file: string, problem: string): never {
  throw new EngineError('DATASET_INVALID', `${file}: ${problem}`)
}

/** True when the bytes start with the gzip magic, so `.gz` files work whatever their name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]
}

/**
 * Reads only the header (magic and dimensions). Used to describe a dataset without loading it.
 * Accepts plain bytes; gzip callers decompress first.
 */
export function parseIdxHeader(
  bytes: Uint8Array,
  file: string
): { magic: number; dims: number[]; headerBytes: number } {
  if (bytes.length < 4) fail(file, `too short for an IDX header (${bytes.length} bytes)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = view.getUint32(0)
  if (bytes[0] !== 0 || bytes[1] !== 0)
    fail(file, `not an IDX file (magic 0x${magic.toString(16).padStart(8, '0')})`)
  if (bytes[2] !== 0x08) fail(file, `IDX data type 0x${bytes[2].toString(16)} is not uint8 (0x08)`)
  const ndims = bytes[3]
  if (ndims < 1 || ndims > MAX_DIMS)
    fail(file, `IDX header declares ${ndims} dimensions (1-${MAX_DIMS} supported)`)
  const headerBytes = 4 + 4 * ndims
  if (bytes.length < headerBytes)
    fail(file, `header truncated: needs ${headerBytes} bytes, file has ${bytes.length}`)
  const dims: number[] = []
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i))
  return { magic, dims, headerBytes }
}

/** The longest IDX header: magic and MAX_DIMS dimensions. */
const MAX_HEADER_BYTES = 4 + 4 * MAX_DIMS
/**
 * Compressed bytes tried for the header: deflate expands at most ~1032:1, so inflating a prefix
 * this long yields at most a few MB however the file was made, and covers any sane gzip header.
 */
const GZIP_HEAD_PREFIXES = [64, 512, 4096]

/**
 * The first decompressed bytes of a gzipped file (at least an IDX header's worth when the file
 * has them), found by inflating a short prefix of it: never the whole stream (RELIABILITY P3).
 */
export function gunzipHead(raw: Uint8Array, file: string): Uint8Array {
  let head: Uint8Array = new Uint8Array(0)
  for (const prefix of GZIP_HEAD_PREFIXES) {
    try {
      // Z_SYNC_FLUSH: a prefix gives what it has instead of "unexpected end of file"; the whole
      // file (a small one) is inflated normally, so a truncated stream is reported as such.
      const whole = prefix >= raw.length
      head = gunzipSync(raw.subarray(0, prefix), {
        finishFlush: whole ? zlibConstants.Z_FINISH : zlibConstants.Z_SYNC_FLUSH
      })
    } catch (err) {
      fail(file, `gzip data is corrupt (${(err as Error).message})`)
    }
    if (head.length >= MAX_HEADER_BYTES || prefix >= raw.length) break
  }
  return head
}

/**
 * Decompresses a gzipped IDX file, reading its header first and refusing to inflate more than the
 * header implies: a 14 MB file that expands to gigabytes is refused after header + data bytes,
 * not after filling memory (RELIABILITY P3).
 */
function gunzipIdx(raw: Uint8Array, file: string): Uint8Array {
  const { headerBytes, elements } = checkedSize(gunzipHead(raw, file), file)
  const expected = headerBytes + elements
  try {
    return gunzipSync(raw, { maxOutputLength: expected })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      fail(file, `decompresses to more than the ${expected} bytes its header declares`)
    fail(file, `gzip data is corrupt (${(err as Error).message})`)
  }
}

/** The header of `bytes` and the element count it declares, refused when absurd. */
function checkedSize(
  bytes: Uint8Array,
  file: string
): { dims: number[]; headerBytes: number; elements: number } {
  const { dims, headerBytes } = parseIdxHeader(bytes, file)
  const elements = dims.reduce((a, b) => a * b, 1)
  if (elements > MAX_ELEMENTS)
    fail(file, `header declares ${elements} elements, more than supported`)
  return { dims, headerBytes, elements }
}

/**
 * Parses a uint8 IDX file (plain or gzipped) and checks that its length matches its header.
 * Errors are EngineError('DATASET_INVALID') naming the file and the problem; never a crash or hang.
 */
export function parseIdx(raw: Uint8Array, file: string): IdxArray {
  const bytes = isGzip(raw) ? gunzipIdx(raw, file) : raw
  const { dims, headerBytes, elements } = checkedSize(bytes, file)
  const expected = headerBytes + elements
  if (bytes.length !== expected) {
    fail(
      file,
      `length ${bytes.length} bytes does not match header dims [${dims.join('x')}] (expected ${expected})`
    )
  }
  return { dims, data: bytes.subarray(headerBytes) }
}

/** Parses an images file: magic 0x803, dims [N, rows, cols]. */
export function parseIdxImages(raw: Uint8Array, file: string): IdxArray {
  const arr = parseIdx(raw, file)
  const magic = 0x800 + arr.dims.length
  if (magic !== IDX_MAGIC_IMAGES)
    fail(file, `expected an images file (magic 0x00000803, 3 dims), found ${arr.dims.length} dims`)
  return arr
}

/** Parses a labels file: magic 0x801, dims [N]. */
export function parseIdxLabels(raw: Uint8Array, file: string): IdxArray {
  const arr = parseIdx(raw, file)
  const magic = 0x800 + arr.dims.length
  if (magic !== IDX_MAGIC_LABELS)
    fail(file, `expected a labels file (magic 0x00000801, 1 dim), found ${arr.dims.length} dims`)
  return arr
}

/** Encodes a uint8 IDX file (used by tests and fixtures). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length)
  const view = new DataView(header.buffer)
  view.setUint32(0, 0x800 + dims.length)
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d))
  const out = new Uint8Array(header.length + data.length)
  out.set(header)
  out.set(data, header.length)
  return out
}
