import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeConv2d, makeFusedConv2d } from '#engine/backend/kernels/conv2d-forward'
import { instantiateSimdKernels, type SimdVariant } from '#engine/backend/kernels/simd/simd-kernels'
import {
  compareKernel,
  expectClose,
  makeInputs,
  runOn,
  startWasmWithFallback,
  type Inputs
} from './gradients-check'
import { convCaseLabel, convOutSize, randomConvCases, type ConvCase } from './conv-cases'

// The SIMD forward convolution (conv2d_s1 in kernels.wat) against the cpu backend: Conv2D,
// FusedConv2D without bias or activation, and Conv2DBackpropInput (a forward convolution of dy).

beforeAll(startWasmWithFallback)

const PRESET_CASES: ConvCase[] = [
  { x: [2, 28, 28, 32], k: [3, 3], co: 32, pad: 'same' }, // accurate, block 1
  { x: [2, 14, 14, 32], k: [3, 3], co: 64, pad: 'same' }, // accurate, block 2
  { x: [1, 28, 28, 1], k: [3, 3], co: 32, pad: 'same' }, // accurate, first layer
  { x: [3, 13, 13, 32], k: [3, 3], co: 64, pad: 'valid' } // seed's second conv
]

/** Output channels in multiples of 16 (the kernel's block), filters up to 5x5. */
const FORWARD_LIMITS = {
  maxKernel: 5,
  minSide: 5,
  minInChannels: 1,
  outChannels: (draw: (lo: number, hi: number) => number) => 16 * draw(1, 3)
}

const convAttrs = (c: ConvCase): object => ({
  strides: [1, 1],
  pad: c.pad,
  dataFormat: 'NHWC',
  dilations: [1, 1],
  dimRoundingMode: undefined
})

/** Runs the SIMD path through its factory with a "stock" kernel that fails: proof it ran. */
function runSimdOnly(
  kernel: 'Conv2D' | 'FusedConv2D',
  inputs: Inputs,
  attrs: object
): Float32Array {
  const backend = tf.backend() as BackendWasm
  const refuse = (): tf.TensorInfo => {
    throw new Error('the SIMD path declined this convolution')
  }
  const run = kernel === 'Conv2D' ? makeConv2d(refuse) : makeFusedConv2d(refuse)
  return tf.tidy(() => {
    const x = tf.tensor(inputs.x.values, inputs.x.shape)
    const filter = tf.tensor(inputs.filter.values, inputs.filter.shape)
    const out = run({ inputs: { x, filter }, backend, attrs: attrs as tf.NamedAttrMap })
    const values = (backend.readSync(out.dataId) as Float32Array).slice()
    backend.disposeData(out.dataId)
    return values
  })
}

/** One build of `conv2d_s1` called directly on a padded input ('valid' from there on). */
function runBuild(variant: SimdVariant, inputs: Inputs, c: ConvCase): Float32Array {
  const backend = tf.backend() as BackendWasm
  const simd = instantiateSimdKernels(backend, variant)
  expect(simd).not.toBeNull()
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    [c.k[0], c.k[1], c.x[3], c.co],
    [1, 1],
    1,
    c.pad
  )
  const { top, bottom, left, right } = info.padInfo
  return tf.tidy(() => {
    const x = tf.pad(tf.tensor4d(inputs.x.values, c.x), [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0]
    ])
    const filter = tf.tensor(inputs.filter.values, inputs.filter.shape)
    const out = tf.zeros([c.x[0], info.outHeight, info.outWidth, c.co])
    const at = (t: tf.Tensor): number => backend.getMemoryOffset(t.dataId)
    simd!.conv2d_s1(
      at(x),
      at(filter),
      at(out),
      c.x[0],
      x.shape[1],
      x.shape[2],
      c.x[3],
      info.outHeight,
      info.outWidth,
      c.co,
      c.k[0],
      c.k[1]
    )
    return (backend.readSync(out.dataId) as Float32Array).slice()
  })
}

describe('SIMD Conv2D matches cpu', () => {
  const cases = [...PRESET_CASES, ...randomConvCases(20, 1414, FORWARD_LIMITS)]
  cases.forEach((c, i) => {
    it(convCaseLabel(c), async () => {
      const inputs = makeInputs({ x: c.x, filter: [c.k[0], c.k[1], c.x[3], c.co] }, 700 + i)
      const attrs = convAttrs(c)
      const fromCpu = await runOn('cpu', tf.Conv2D, inputs, attrs)
      await tf.setBackend('wasm')
      // Both builds of the kernel (plain SIMD, relaxed SIMD's fused multiply-adds), directly.
      expectClose(runBuild('plain', inputs, c), fromCpu.values)
      expectClose(runBuild('relaxed', inputs, c), fromCpu.values)
      expectClose(runSimdOnly('Conv2D', inputs, attrs), fromCpu.values)
      const fused = { ...attrs, activation: 'linear' }
      expectClose(runSimdOnly('FusedConv2D', inputs, fused), fromCpu.values)
      // Through the registry, as layers call them.
      await compareKernel(tf.Conv2D, inputs, attrs)
      await compareKernel(tf.FusedConv2D, inputs, fused)
    })
  })
})

describe('convolutions the SIMD path leaves to XNNPACK still match cpu', () => {
  const c: ConvCase = { x: [2, 9, 9, 3], k: [3, 3], co: 16, pad: 'same' }
  const inputs = makeInputs({ x: c.x, filter: [3, 3, 3, 16], bias: [16] }, 900)
  it('FusedConv2D with bias and relu', async () => {
    await compareKernel(tf.FusedConv2D, inputs, { ...convAttrs(c), activation: 'relu' })
  })
  it('output channels not a multiple of 16, and strided', async () => {
    const odd = makeInputs({ x: [2, 9, 9, 3], filter: [3, 3, 3, 10] }, 901)
    await compareKernel(tf.Conv2D, odd, convAttrs(c))
    await compareKernel(tf.Conv2D, inputs, { ...convAttrs(c), strides: [2, 2] })
  })
})

describe('Conv2DBackpropInput through the SIMD forward convolution matches cpu', () => {
  // Its output channels are the forward convolution's input channels: 16 or more here.
  const cases: ConvCase[] = [
    { x: [2, 28, 28, 32], k: [3, 3], co: 32, pad: 'same' },
    { x: [2, 14, 14, 32], k: [3, 3], co: 64, pad: 'same' },
    { x: [3, 13, 13, 32], k: [3, 3], co: 64, pad: 'valid' },
    { x: [1, 7, 9, 16], k: [2, 3], co: 5, pad: 'same' },
    { x: [2, 6, 6, 48], k: [3, 3], co: 3, pad: 1 }
  ]
  cases.forEach((c, i) => {
    it(convCaseLabel(c), async () => {
      const dy = [
        c.x[0],
        convOutSize(c.x[1], c.k[0], c.pad),
        convOutSize(c.x[2], c.k[1], c.pad),
        c.co
      ]
      const inputs = makeInputs({ dy, filter: [c.k[0], c.k[1], c.x[3], c.co] }, 950 + i)
      await compareKernel(tf.Conv2DBackpropInput, inputs, {
        strides: [1, 1],
        pad: c.pad,
        dataFormat: 'NHWC',
        inputShape: c.x
      })
      expect(c.x[3] % 16).toBe(0)
    })
  })
})
