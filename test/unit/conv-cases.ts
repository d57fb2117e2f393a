import { randomValues } from './gradients-check'

// Stride-1 convolution shapes for the SIMD kernel tests (filter gradient and forward): the
// presets' shapes are listed by each test; random ones come from here.

export type ConvPad = 'same' | 'valid' | number

export interface ConvCase {
  x: [number, number, number, number]
  k: [number, number]
  co: number
  pad: ConvPad
}

/** Output height or width of a stride-1 convolution, as tfjs computes it. */
export function convOutSize(inSize: number, k: number, pad: ConvPad): number {
  if (pad === 'same') return inSize
  if (pad === 'valid') return inSize - k + 1
  return inSize + 2 * pad - k + 1
}

/** The test's name: every shape and the padding. */
export function convCaseLabel(c: ConvCase): string {
  return `x ${c.x.join('x')}, filter ${c.k.join('x')}x${c.x[3]}x${c.co}, pad ${c.pad}`
}

interface RandomLimits {
  /** Largest filter side. */
  maxKernel: number
  /** Smallest image side (the largest is 12). */
  minSide: number
  /** Fewest input channels (the most is 11). */
  minInChannels: number
  /** Output channels from a draw in [lo, hi] (the kernels block them differently). */
  outChannels: (draw: (lo: number, hi: number) => number) => number
}

/** Random cases from a fixed seed, so a failure names a shape that reproduces. */
export function randomConvCases(count: number, seed: number, limits: RandomLimits): ConvCase[] {
  const r = randomValues(count * 8, seed)
  const pick = (v: number, lo: number, hi: number): number =>
    lo + Math.floor(((v + 1) / 2) * (hi - lo + 1))
  const pads: ConvPad[] = ['same', 'valid', 1, 0, 2]
  const cases: ConvCase[] = []
  for (let i = 0; i < count; i++) {
    const v = r.subarray(i * 8, i * 8 + 8)
    const kh = pick(v[0], 1, limits.maxKernel)
    const pad = pads[pick(v[2], 0, pads.length - 1)]
    // tfjs sizes a numeric padding's output with the filter's height for both axes, so those
    // cases need square filters.
    const kw = typeof pad === 'number' ? kh : pick(v[1], 1, limits.maxKernel)
    const side = (u: number): number => pick(u, limits.minSide, 12)
    cases.push({
      x: [pick(v[3], 1, 3), side(v[4]), side(v[5]), pick(v[6], limits.minInChannels, 11)],
      k: [kh, kw],
      co: limits.outChannels((lo, hi) => pick(v[7], lo, hi)),
      pad
    })
  }
  return cases
}
