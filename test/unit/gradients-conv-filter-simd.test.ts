import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  multiChannelFilterGrad,
  multiChannelSimdApplies
} from '#engine/backend/kernels/multi-channel-filter-grad'
import { instantiateSimdKernels, type SimdVariant } from '#engine/backend/kernels/simd/simd-kernels'
import {
  compareKernel,
  expectClose,
  makeInputs,
  runOn,
  startWasmWithFallback,
  type Inputs
} from './gradients-check'
import {
  convCaseLabel,
  convOutSize,
  randomConvCases,
  type ConvCase,
  type ConvPad
} from './conv-cases'

// The multi-channel SIMD filter gradient (conv_filter_grad in kernels.wat) against the cpu
// backend's Conv2DBackpropFilter: the presets' shapes, then random ones (odd sizes, channel counts
// the kernel's 4x8 blocks don't divide, batch 1, every padding mode).

beforeAll(startWasmWithFallback)

const PRESET_CASES: ConvCase[] = [
  { x: [2, 28, 28, 32], k: [3, 3], co: 32, pad: 'same' }, // accurate, block 1
  { x: [2, 14, 14, 32], k: [3, 3], co: 64, pad: 'same' }, // accurate, block 2
  { x: [1, 14, 14, 64], k: [3, 3], co: 64, pad: 'same' },
  { x: [3, 13, 13, 32], k: [3, 3], co: 64, pad: 'valid' } // seed's second conv
]

/** Channel counts the kernel's 4x8 blocks don't divide, filters up to 4x4. */
const FILTER_LIMITS = {
  maxKernel: 4,
  minSide: 4,
  minInChannels: 2,
  outChannels: (draw: (lo: number, hi: number) => number) => draw(1, 19)
}

function caseInputs(c: ConvCase, seed: number): { inputs: Inputs; attrs: object } {
  const dy = [c.x[0], convOutSize(c.x[1], c.k[0], c.pad), convOutSize(c.x[2], c.k[1], c.pad), c.co]
  return {
    inputs: makeInputs({ x: c.x, dy }, seed),
    attrs: {
      strides: [1, 1],
      pad: c.pad,
      dataFormat: 'NHWC',
      filterShape: [c.k[0], c.k[1], c.x[3], c.co]
    }
  }
}

/** Calls one build of the SIMD path itself (not whatever the registry picks) on the wasm heap. */
function runSimdDirectly(inputs: Inputs, attrs: object, variant: SimdVariant): Float32Array {
  const backend = tf.backend() as BackendWasm
  const simd = instantiateSimdKernels(backend, variant)
  expect(simd).not.toBeNull()
  const a = attrs as { pad: ConvPad; filterShape: [number, number, number, number] }
  const info = tf.backend_util.computeConv2DInfo(
    inputs.x.shape as [number, number, number, number],
    a.filterShape,
    [1, 1],
    1,
    a.pad
  )
  expect(multiChannelSimdApplies(info)).toBe(true)
  return tf.tidy(() => {
    const x = tf.tensor(inputs.x.values, inputs.x.shape)
    const dy = tf.tensor(inputs.dy.values, inputs.dy.shape)
    const out = multiChannelFilterGrad(
      { inputs: { x, dy }, backend, attrs: attrs as tf.NamedAttrMap },
      info,
      simd!
    )
    expect(out.shape).toEqual(a.filterShape)
    const values = (backend.readSync(out.dataId) as Float32Array).slice()
    backend.disposeData(out.dataId)
    return values
  })
}

describe('multi-channel SIMD Conv2DBackpropFilter matches cpu', () => {
  const cases = [...PRESET_CASES, ...randomConvCases(24, 1313, FILTER_LIMITS)]
  cases.forEach((c, i) => {
    it(convCaseLabel(c), async () => {
      const { inputs, attrs } = caseInputs(c, 500 + i)
      const fromCpu = await runOn('cpu', tf.Conv2DBackpropFilter, inputs, attrs)
      await tf.setBackend('wasm')
      // Both builds: plain SIMD, and relaxed SIMD's fused multiply-adds (Node 20 gets the flag
      // from simd-kernels.ts, Electron has it on).
      expectClose(runSimdDirectly(inputs, attrs, 'plain'), fromCpu.values)
      expectClose(runSimdDirectly(inputs, attrs, 'relaxed'), fromCpu.values)
      // And through the registry, as training calls it.
      await compareKernel(tf.Conv2DBackpropFilter, inputs, attrs)
    })
  })

  it('is not used for strided convolutions (those keep the XNNPACK rewrite)', () => {
    const info = tf.backend_util.computeConv2DInfo([1, 9, 9, 4], [3, 3, 4, 8], [2, 2], 1, 'same')
    expect(multiChannelSimdApplies(info)).toBe(false)
  })
})
