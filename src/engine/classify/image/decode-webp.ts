import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { EngineError } from '#shared/errors'
import { checkDimensions } from './limits'
import type { RgbaImage } from './types'

const require = createRequire(import.meta.url)

// tsconfig.node has no DOM lib, where WebAssembly's value side is declared; Node has it at run time.
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }
).WebAssembly

type WebpDecode = (
  buffer: ArrayBuffer
) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>
let decoderPromise: Promise<WebpDecode> | null = null

/**
 * libwebp's decoder compiled to wasm (@jsquash/webp, from Squoosh): no native code, so it runs in
 * Electron's utilityProcess, the CLI and the tests alike. In Node the wasm is read from disk (its
 * default loader would `fetch` a URL), once per process.
 */
function loadDecoder(): Promise<WebpDecode> {
  decoderPromise ??= (async () => {
    // The emscripten glue builds its result with `new ImageData(...)`, which Node lacks.
    const g = globalThis as unknown as { ImageData?: unknown }
    g.ImageData ??= class ImageData {
      constructor(
        public data: Uint8ClampedArray,
        public width: number,
        public height: number
      ) {}
    }
    const dir = dirname(require.resolve('@jsquash/webp/package.json'))
    const mod = (await import('@jsquash/webp/decode.js')) as unknown as {
      init(module: object): Promise<void>
      default: WebpDecode
    }
    await mod.init(await wasm.compile(await readFile(join(dir, 'codec', 'dec', 'webp_dec.wasm'))))
    return mod.default
  })()
  return decoderPromise
}

/** Canvas size from the VP8X, VP8 or VP8L chunk header, read before any decoding. */
function readWebpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = String.fromCharCode(...b.subarray(12, 16))
  const u24 = (at: number): number => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)
  if (chunk === 'VP8X' && b.length >= 30) return { width: u24(24) + 1, height: u24(27) + 1 }
  if (chunk === 'VP8 ' && b.length >= 30)
    return { width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  return null
}

/** WebP (lossy, lossless, alpha; animated files give their first frame) decoded by libwebp in wasm. */
export async function decodeWebp(bytes: Uint8Array, name: string): Promise<RgbaImage> {
  const size = readWebpSize(bytes)
  if (!size)
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: WebP is truncated or damaged (no image header)`
    )
  checkDimensions(name, size.width, size.height)
  const decode = await loadDecoder()
  let img: { width: number; height: number; data: Uint8ClampedArray }
  try {
    img = await decode(bytes.slice().buffer)
  } catch {
    throw new EngineError(
      'IMAGE_INVALID',
      `${name}: WebP could not be decoded (damaged or truncated file)`
    )
  }
  return {
    width: img.width,
    height: img.height,
    data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength)
  }
}
