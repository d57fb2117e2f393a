/**
 * Float16 weights for a shipped model: half the bytes of float32, read back by tfjs itself (its
 * weight loader dequantises `quantization: { dtype: 'float16' }`, the format tfjs-converter writes
 * with `--quantize_float16`), so no loader of ours is involved.
 */
import * as tf from '@tensorflow/tfjs'

/** float32 -> IEEE 754 half, round to nearest even (the conversion numpy and tfjs-converter use). */
function toHalf(value: number): number {
  const f32 = new Float32Array([value])
  const x = new Uint32Array(f32.buffer)[0]
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0)
  const e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    const half = mant >>> shift
    const rest = mant & ((1 << shift) - 1)
    const mid = 1 << (shift - 1)
    return sign | (rest > mid || (rest === mid && half & 1) ? half + 1 : half)
  }
  const half = mant >>> 13
  const rest = mant & 0x1fff
  let out = (e << 10) | half
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) out++
  return sign | out
}

/**
 * The artifacts with every float32 weight stored as float16 (and nothing else changed). Weights of
 * other dtypes are copied as they are.
 */
export function quantizeFloat16(artifacts: tf.io.ModelArtifacts): tf.io.ModelArtifacts {
  const specs = artifacts.weightSpecs ?? []
  const source = artifacts.weightData
  if (!(source instanceof ArrayBuffer)) throw new Error('expected one weights buffer')
  const parts: Uint8Array[] = []
  let offset = 0
  const outSpecs = specs.map((spec) => {
    const count = spec.shape.reduce((n, d) => n * d, 1)
    const bytes = count * (spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : 1)
    if (spec.quantization) throw new Error(`${spec.name}: already quantised`)
    if (spec.dtype !== 'float32') {
      parts.push(new Uint8Array(source, offset, bytes))
      offset += bytes
      return spec
    }
    const values = new Float32Array(source.slice(offset, offset + bytes))
    offset += bytes
    parts.push(new Uint8Array(Uint16Array.from(values, toHalf).buffer))
    return { ...spec, quantization: { dtype: 'float16' as const } }
  })
  const total = parts.reduce((n, p) => n + p.byteLength, 0)
  const weightData = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    weightData.set(p, at)
    at += p.byteLength
  }
  return { ...artifacts, weightSpecs: outSpecs, weightData: weightData.buffer }
}
